package sts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Services assume roles: SageMaker assumes a job's execution role as sagemaker.amazonaws.com before the job reads
// S3. It goes through the same trust evaluation as AssumeRole — the authorizer decides sts:AssumeRole for the
// service principal against the role's trust policy, and records the decision — and produces a real role session,
// whose requests are authorized like any other.

// ServiceAssume is a service's request to assume a role.
type ServiceAssume struct {
	// Service is the service principal, such as "sagemaker.amazonaws.com".
	Service string
	// RoleARN is the role to assume, with its path.
	RoleARN     string
	SessionName string
	// Duration is the session's length: one hour when zero, and never more than the role's MaxSessionDuration nor
	// less than 15 minutes.
	Duration time.Duration
	// Region is the region the service acts in (aws:RequestedRegion of the decision).
	Region string
	// Context holds condition keys the service supplies, such as aws:SourceAccount and aws:SourceArn, which trust
	// policies check against the confused deputy problem.
	Context map[string][]string
	// Tx is the caller's writable transaction: the session is written in it and its key authenticates from when it
	// commits. Nil: STS uses a writable transaction of its own, which a caller that holds one must not make it do
	// (writers are serialized: it would wait for the caller's forever).
	Tx store.Tx
}

// ServiceSession is the role session a service got.
type ServiceSession struct {
	Credentials     Credentials
	AssumedRoleUser AssumedRoleUser
	// Principal is the session's principal (its AccessKeyID is the session's key): what the service's own
	// requests on the role's behalf are authorized as.
	Principal *api.Principal
}

// ErrCannotAssume is what AssumeRoleAsService returns, wrapped in a *CannotAssumeError, when the role does not
// exist or does not trust the service. SageMaker words it as "Could not assume role ARN. Please ensure that the
// role exists and allows principal 'sagemaker.amazonaws.com' to assume the role."
var ErrCannotAssume = errors.New("sts: the service cannot assume the role")

// CannotAssumeError says which role a service could not assume, and why.
type CannotAssumeError struct {
	RoleARN, Service string
	// Reason is the authorizer's, or says that the role does not exist.
	Reason string
}

func (e *CannotAssumeError) Error() string {
	return fmt.Sprintf("%s cannot assume %s: %s", e.Service, e.RoleARN, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCannotAssume) true.
func (e *CannotAssumeError) Unwrap() error { return ErrCannotAssume }

// AssumeRoleAsService has a service assume a role, as AWS services do with a role handed to them: the role's trust
// policy must allow the service principal sts:AssumeRole (the authorizer decides, and logs the decision). The
// session is a role session like AssumeRole's, one hour long unless in.Duration says otherwise.
func (s *Service) AssumeRoleAsService(ctx context.Context, in ServiceAssume) (*ServiceSession, error) {
	z := s.authz()
	if z == nil {
		return nil, errNoAuthorizer
	}
	cannot := func(reason string) error {
		return &CannotAssumeError{RoleARN: in.RoleARN, Service: in.Service, Reason: reason}
	}
	if in.Service == "" {
		return nil, errors.New("sts: AssumeRoleAsService without a service principal")
	}
	t := in.Tx
	if t == nil {
		if s.store == nil {
			return nil, errors.New("sts: AssumeRoleAsService without a transaction or a store")
		}
		own, err := s.store.Begin(ctx, true)
		if err != nil {
			return nil, err
		}
		defer own.Rollback()
		t = own
	}
	account, path, name, ok := parseRoleARN(in.RoleARN)
	var role *Role
	if ok && s.roles != nil {
		var err error
		if role, err = s.roles.Role(t, account, name); err != nil {
			return nil, err
		}
		if role != nil && role.Path != path {
			role = nil
		}
	}

	c := api.NewCall(ctx, z, s.store, true)
	c.RequestID, c.Service, c.Operation = s.ids.RequestID(), "sts", "AssumeRole"
	c.Region, c.Now = in.Region, s.clock.Now()
	c.Principal = &api.Principal{Type: api.Service, Name: in.Service, ARN: in.Service}
	keys := map[string][]string{}
	for k, v := range in.Context {
		keys[k] = v
	}
	keys["sts:RoleSessionName"] = []string{in.SessionName}
	resource, trust := in.RoleARN, s.noTrust
	if role != nil {
		resource, trust = role.ARN, role.Trust
		for k, v := range role.Tags {
			keys["aws:ResourceTag/"+k] = []string{v}
			keys["iam:ResourceTag/"+k] = []string{v}
		}
	}
	err := c.Authorize(ctx, api.Authorization{
		Action: "sts:AssumeRole", Resources: []string{resource}, ResourceAccount: account, ResourcePolicy: trust, Context: keys,
	})
	switch {
	case !ok:
		return nil, cannot("it is not the ARN of a role")
	case err != nil:
		if ae := awserr.As(err); ae != nil && ae.Message != "" {
			return nil, cannot(ae.Message)
		}
		return nil, cannot(err.Error())
	case role == nil:
		return nil, cannot("the role does not exist")
	}

	d := in.Duration
	if d == 0 {
		d = defaultRoleDuration * time.Second
	}
	d = min(max(d, 900*time.Second), time.Duration(role.MaxSessionDuration)*time.Second)
	out, err := s.issue(t, &sessionSpec{
		Kind:        roleSession,
		Now:         c.Now,
		Duration:    d,
		Role:        role,
		SessionName: in.SessionName,
		Service:     in.Service,
	})
	if err != nil {
		return nil, err
	}
	if in.Tx == nil {
		if err := t.Commit(); err != nil {
			return nil, err
		}
	}
	return &ServiceSession{Credentials: out.Credentials, AssumedRoleUser: *out.AssumedRoleUser, Principal: out.Principal}, nil
}
