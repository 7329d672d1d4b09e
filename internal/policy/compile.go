package policy

// compiledPolicy is the evaluator's form of a document. (Placeholder: the engine helper replaces this file.)
type compiledPolicy struct{}
