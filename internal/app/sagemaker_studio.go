package app

import (
	"strings"

	"github.com/sagebox/sagebox/internal/service/iam"
	"github.com/sagebox/sagebox/internal/service/sagemaker"
	"github.com/sagebox/sagebox/internal/store"
)

// smRoleInfo is IAM as the SageMaker Studio page sees it (sagemaker.RoleInfo): what an execution role may do.
type smRoleInfo struct{ iam *iam.Service }

func (r smRoleInfo) RolePermissions(t store.Tx, account, roleARN string) (*sagemaker.RolePermissions, error) {
	p, err := r.iam.RolePermissions(t, account, roleARN)
	if err != nil || p == nil {
		return nil, err
	}
	return &sagemaker.RolePermissions{ARN: p.ARN, AttachedPolicies: p.AttachedPolicies, InlinePolicies: p.InlinePolicies, Boundary: p.Boundary}, nil
}

// isStudioPath reports whether a request is for the Studio pages, which presigned URLs open: they are reached
// without SigV4 and without the admin API's guard, wherever sagebox listens, because their token is their credential.
func isStudioPath(p string) bool {
	return strings.HasPrefix(p, sagemaker.StudioPath)
}
