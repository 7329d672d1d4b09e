package iam

import (
	"context"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
)

func (s *Service) registerServiceLinkedRoles(h *api.ServiceHandlers) {
	api.Write(h, "CreateServiceLinkedRole", s.createServiceLinkedRole)
	api.Write(h, "DeleteServiceLinkedRole", s.deleteServiceLinkedRole)
	api.Read(h, "GetServiceLinkedRoleDeletionStatus", s.getServiceLinkedRoleDeletionStatus)
}

// serviceLinkedRole is what IAM creates for a service principal (the key of serviceLinkedRoles): the role's name, the AWS managed policy it
// attaches and the description it sets, and whether the service takes a CustomSuffix.
type serviceLinkedRole struct {
	RoleName    string
	Policy      string
	Description string
	Suffix      bool
}

// serviceLinkedRoles are the services sagebox creates service-linked roles for. Names, policies and descriptions
// are AWS's, as accounts show them (terraformer exports of real accounts; the SageMaker and HyperPod developer
// guides). Only Auto Scaling is recorded taking a CustomSuffix (LocalStack's AWS-validated snapshots of
// CreateServiceLinkedRole); the others refuse one, as most services do. A policy that the managed catalog does not
// ship is not attached: AutoScalingServiceRolePolicy and AmazonElasticFileSystemServiceRolePolicy are attached as
// soon as the catalog carries them.
var serviceLinkedRoles = map[string]serviceLinkedRole{
	"sagemaker.amazonaws.com": {
		RoleName:    "AWSServiceRoleForAmazonSageMakerNotebooks",
		Policy:      "arn:aws:iam::aws:policy/aws-service-role/AmazonSageMakerNotebooksServiceRolePolicy",
		Description: "AWS SageMaker Notebooks Service Linked Role",
	},
	"sagemaker.application-autoscaling.amazonaws.com": {
		RoleName: "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
		Policy:   "arn:aws:iam::aws:policy/aws-service-role/AWSApplicationAutoscalingSageMakerEndpointPolicy",
	},
	"hyperpod.sagemaker.amazonaws.com": {
		RoleName: "AWSServiceRoleForSageMakerHyperPod",
		Policy:   "arn:aws:iam::aws:policy/aws-service-role/AmazonSageMakerHyperPodServiceRolePolicy",
	},
	"autoscaling.amazonaws.com": {
		RoleName:    "AWSServiceRoleForAutoScaling",
		Policy:      "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy",
		Description: "Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling",
		Suffix:      true,
	},
	"elasticfilesystem.amazonaws.com": {
		RoleName: "AWSServiceRoleForAmazonElasticFileSystem",
		Policy:   "arn:aws:iam::aws:policy/aws-service-role/AmazonElasticFileSystemServiceRolePolicy",
	},
}

// kindSLRDeletion holds the deletion tasks of service-linked roles, so that GetServiceLinkedRoleDeletionStatus
// can answer for them; the record id is the lower-cased task id.
const kindSLRDeletion = "iam.slr-deletion"

// slrDeletion is a deletion task. sagebox deletes at once, so every task has succeeded.
type slrDeletion struct {
	TaskID  string    `json:"taskId"`
	Role    string    `json:"role"`
	Service string    `json:"service"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

// deletionTaskPrefix starts every deletion task id: task/aws-service-role/SERVICE/ROLE/UUID.
const deletionTaskPrefix = "task" + serviceRolePath

// serviceRolePathOf is the path of the service-linked roles of service.
func serviceRolePathOf(service string) string { return serviceRolePath + service + "/" }

// serviceTrustPolicy is the trust policy IAM writes into a service-linked role.
func serviceTrustPolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
}

func (s *Service) createServiceLinkedRole(ctx context.Context, c *api.Call, in *CreateServiceLinkedRoleInput) (*CreateServiceLinkedRoleOutput, error) {
	spec, known := serviceLinkedRoles[in.AWSServiceName]
	name := spec.RoleName
	if known && in.CustomSuffix != nil && spec.Suffix {
		name += "_" + *in.CustomSuffix
	}
	resource := roleARN(c.Account(), serviceRolePathOf(in.AWSServiceName), "*")
	if known {
		resource = roleARN(c.Account(), serviceRolePathOf(in.AWSServiceName), name)
	}
	if err := c.Authorize(ctx, api.Authorization{
		Action:    "iam:CreateServiceLinkedRole",
		Resources: []string{resource},
		Context:   map[string][]string{"iam:AWSServiceName": {in.AWSServiceName}},
	}); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if !known {
		return nil, invalidInput("Cannot find Service Linked Role template for %s", in.AWSServiceName)
	}
	if in.CustomSuffix != nil && !spec.Suffix {
		return nil, invalidInput("Custom suffix is not allowed for %s", in.AWSServiceName)
	}
	r := &role{
		Name:               name,
		ID:                 s.ids.IAM("AROA"),
		Path:               serviceRolePathOf(in.AWSServiceName),
		Created:            now(c),
		Description:        spec.Description,
		TrustPolicy:        serviceTrustPolicy(in.AWSServiceName),
		MaxSessionDuration: defaultMaxSessionDuration,
		ServiceLinked:      in.AWSServiceName,
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if s.managed != nil {
		if _, ok := s.managed.Get(spec.Policy); ok {
			r.Attached = []string{spec.Policy}
		}
	}
	if err := s.saveRole(t, c.Account(), r, nil); err != nil {
		if isExists(err) {
			return nil, invalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)
		}
		return nil, err
	}
	out, err := apiRole(t, c.Account(), r, viewCreated)
	if err != nil {
		return nil, err
	}
	return &CreateServiceLinkedRoleOutput{Role: out}, nil
}

func (s *Service) deleteServiceLinkedRole(ctx context.Context, c *api.Call, in *DeleteServiceLinkedRoleInput) (*DeleteServiceLinkedRoleOutput, error) {
	t, r, rec, err := authorizedRole(ctx, c, "DeleteServiceLinkedRole", in.RoleName, nil)
	if err != nil {
		return nil, err
	}
	if r.ServiceLinked == "" {
		// Unconfirmed text: the model allows only NoSuchEntity here, and no AWS answer for an ordinary role was found.
		return nil, noSuchEntity("The role with name %s is not a service-linked role.", in.RoleName)
	}
	task := &slrDeletion{
		TaskID:  deletionTaskPrefix + r.ServiceLinked + "/" + r.Name + "/" + s.ids.RequestID(),
		Role:    r.Name,
		Service: r.ServiceLinked,
		Status:  "SUCCEEDED",
		Created: now(c),
	}
	if err := t.Delete(rec.Key); err != nil {
		return nil, err
	}
	s.viewDelete(t, c.Account(), r)
	if err := save(t, c.Account(), kindSLRDeletion, task.TaskID, task, nil, nil); err != nil {
		return nil, err
	}
	return &DeleteServiceLinkedRoleOutput{DeletionTaskId: task.TaskID}, nil
}

func (s *Service) getServiceLinkedRoleDeletionStatus(ctx context.Context, c *api.Call, in *GetServiceLinkedRoleDeletionStatusInput) (*GetServiceLinkedRoleDeletionStatusOutput, error) {
	// The task id names the role: task/aws-service-role/SERVICE/ROLE/UUID; the action is authorized on it.
	resource := roleARN(c.Account(), defaultPath, "*")
	rest, wellFormed := strings.CutPrefix(in.DeletionTaskId, deletionTaskPrefix)
	parts := strings.Split(rest, "/")
	wellFormed = wellFormed && len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != ""
	if wellFormed {
		resource = roleARN(c.Account(), serviceRolePathOf(parts[0]), parts[1])
	}
	if err := authorize(ctx, c, "GetServiceLinkedRoleDeletionStatus", resource); err != nil {
		return nil, err
	}
	if !wellFormed {
		// Unconfirmed text.
		return nil, invalidInput("Deletion task id %s is not valid.", in.DeletionTaskId)
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	task, _, err := get[slrDeletion](t, c.Account(), kindSLRDeletion, in.DeletionTaskId)
	if err != nil {
		return nil, err
	}
	if task == nil || task.TaskID != in.DeletionTaskId {
		// Unconfirmed text.
		return nil, noSuchEntity("Deletion task %s cannot be found.", in.DeletionTaskId)
	}
	return &GetServiceLinkedRoleDeletionStatusOutput{Status: task.Status}, nil
}
