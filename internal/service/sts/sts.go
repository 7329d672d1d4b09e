// Package sts implements AWS Security Token Service: who a caller is, and (with the STS issue) the temporary
// credentials of role sessions.
package sts

import (
	"context"

	"github.com/sagebox/sagebox/internal/api"
)

//go:generate go run ../../model/shapegen -service sts -out shapes_gen.go GetCallerIdentity AssumeRole AssumeRoleWithWebIdentity GetSessionToken GetFederationToken GetAccessKeyInfo DecodeAuthorizationMessage

// Service is STS.
type Service struct{}

// New returns STS.
func New() *Service { return &Service{} }

// Handlers returns the operations STS implements.
func (s *Service) Handlers() *api.ServiceHandlers {
	h := api.NewService("sts")
	api.Read(h, "GetCallerIdentity", s.getCallerIdentity)
	return h
}

// getCallerIdentity answers who signed the request. AWS requires no permission for it: "the same information is
// returned when access is denied" (STS API Reference), so even an explicit deny does not stop it.
func (s *Service) getCallerIdentity(ctx context.Context, c *api.Call, _ *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	if err := c.Authorize(ctx, api.Authorization{Action: "sts:GetCallerIdentity", NoPermissionRequired: true}); err != nil {
		return nil, err
	}
	p := c.Principal
	return &GetCallerIdentityOutput{UserId: &p.UserID, Account: &p.Account, Arn: &p.ARN}, nil
}
