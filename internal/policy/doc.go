// Package policy is IAM's policy language and evaluation logic: it parses policy documents and validates them as
// IAM does, so that sagebox refuses what AWS refuses, with AWS's MalformedPolicyDocument texts, and it decides
// requests as AWS's policy evaluation logic does.
//
// Parse reads a document once, checks it against the rules of its Kind (identity policies forbid Principal, trust
// policies require it and allow only STS actions, managed policies need Version 2012-10-17, …) and returns a
// Document: an AST in which every statement keeps its position, principals are normalized (an account ID becomes
// the account's root ARN, "*" and {"AWS": "*"} both set All) and each condition operator is split into its base
// operator, its ForAnyValue:/ForAllValues: qualifier and its IfExists suffix. The AST carries no JSON: it is the
// input from which the evaluator compiles matchers, once, when a policy is stored.
//
// The package knows IAM's language and nothing of any service: what actions, resource types and condition keys a
// service defines, whether a principal exists, how large a policy may be for the entity it is attached to, all
// belong to the caller.
//
// Compile turns a Document into a Compiled policy once, when it is stored; Decide answers a Request against the Set
// of compiled policies that apply to it without allocating, and Explain gives the same decision with every matched
// statement and missing condition key (see engine.go and Decide's documentation of the procedure). The corpus under
// testdata/eval holds the cases, each citing the AWS behaviour it checks. Code that keeps many policies compiles
// them with one Compiler and CompileText: they then share what they have in common and keep their text rather
// than their Document, a few times smaller. A request's Context is cheapest to build with Keys prepared once
// (NewKey) and sized at once (NewContext).
//
// It imports only the standard library, and a test keeps it that way.
package policy
