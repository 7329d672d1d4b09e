package iam

import (
	"slices"
	"strings"

	"github.com/sagebox/sagebox/internal/store"
)

// RolePermissions is what a role may do, as a page that shows a role lists it: the names of its policies. The
// SageMaker Studio page shows an execution role with it (package app adapts it to sagemaker.RoleInfo).
type RolePermissions struct {
	ARN string
	// AttachedPolicies are the ARNs of the attached managed policies, in the order they were attached;
	// InlinePolicies the names of the inline policies, sorted; Boundary the permissions boundary's ARN, if any.
	AttachedPolicies []string
	InlinePolicies   []string
	Boundary         string
}

// RolePermissions returns the role with the ARN in account, read through t; nil when the ARN names no role of the
// account (another account, another path, or a role that does not exist).
func (s *Service) RolePermissions(t store.Tx, account, arn string) (*RolePermissions, error) {
	prefix := "arn:aws:iam::" + account + ":role/"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok || !isAccountID(account) {
		return nil, nil
	}
	name := rest[strings.LastIndex(rest, "/")+1:]
	if name == "" {
		return nil, nil
	}
	ro, _, err := get[role](t, account, kindRole, name)
	if err != nil || ro == nil {
		return nil, err
	}
	if got := roleARN(account, ro.Path, ro.Name); got != arn {
		return nil, nil
	}
	out := &RolePermissions{ARN: arn, AttachedPolicies: slices.Clone(ro.Attached), Boundary: ro.Boundary}
	for _, p := range ro.Inline {
		out.InlinePolicies = append(out.InlinePolicies, p.Name)
	}
	slices.Sort(out.InlinePolicies)
	return out, nil
}
