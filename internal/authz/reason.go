package authz

import (
	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
)

// denialText is AWS's access denied message for a decision that did not allow, in the form the IAM User Guide's
// "Troubleshoot access denied error messages" gives: "User: ARN is not authorized to perform: ACTION on resource:
// RESOURCE because no identity-based policy allows the ACTION action", or "… with an explicit deny in a service
// control policy". Actions without a resource ("*") leave out "on resource:", as AWS does
// ("… is not authorized to perform: sagemaker:ListModels because no identity-based policy allows …"). A role's
// trust policy, the resource policy of sts:AssumeRole, is named as such.
func denialText(p *api.Principal, action, resource string, d policy.Decision, resourcePolicy *policy.Compiled) string {
	who := p.ARN
	if p.Type == api.Service {
		who = serviceName(p)
	}
	s := "User: " + who + " is not authorized to perform: " + action
	if resource != "" && resource != "*" {
		s += " on resource: " + resource
	}
	trust := resourcePolicy != nil && resourcePolicy.Kind() == policy.Trust
	if d.Outcome == policy.ExplicitDeny {
		return s + " with an explicit deny in " + explicitName(d.Layer, trust)
	}
	return s + " because no " + implicitName(d.Layer, trust) + " allows the " + action + " action"
}

// explicitName names a layer after "with an explicit deny in".
func explicitName(layer policy.PolicyType, trust bool) string {
	switch layer {
	case policy.BoundaryPolicy:
		return "a permissions boundary"
	case policy.SessionPolicy:
		return "a session policy"
	case policy.ControlPolicy:
		return "a service control policy"
	case policy.ResourcePolicy:
		if trust {
			return "the role trust policy"
		}
		return "a resource-based policy"
	case policy.EndpointPolicy:
		return "a VPC endpoint policy"
	}
	return "an identity-based policy"
}

// implicitName names a layer after "because no".
func implicitName(layer policy.PolicyType, trust bool) string {
	switch layer {
	case policy.BoundaryPolicy:
		return "permissions boundary"
	case policy.SessionPolicy:
		return "session policy"
	case policy.ControlPolicy:
		return "service control policy"
	case policy.ResourcePolicy:
		if trust {
			return "role trust policy"
		}
		return "resource-based policy"
	case policy.EndpointPolicy:
		return "VPC endpoint policy"
	}
	return "identity-based policy"
}

// layerName names a policy type in the decision log and explanations.
func layerName(t policy.PolicyType) string {
	switch t {
	case policy.IdentityPolicy:
		return "identity-based policy"
	case policy.BoundaryPolicy:
		return "permissions boundary"
	case policy.SessionPolicy:
		return "session policy"
	case policy.ControlPolicy:
		return "service control policy"
	case policy.ResourcePolicy:
		return "resource-based policy"
	case policy.EndpointPolicy:
		return "VPC endpoint policy"
	}
	return ""
}
