package ec2

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"sort"
	"strings"
)

// The AWS services a region offers VPC endpoints for (DescribeVpcEndpointServices) and the AWS-managed prefix
// lists of its gateway services (DescribePrefixLists). Both are the same in every account: they are computed from
// the region's name, never stored.

// endpointService is one AWS service that VPC endpoints can reach.
type endpointService struct {
	// short is the name sagebox knows the service by, the last part of its service name ("s3", "sagemaker.api",
	// "notebook"); `sagebox reach --service` takes it.
	short string
	// sagemakerDomain marks the services named aws.sagemaker.REGION.SHORT (notebook, studio), whose DNS names are
	// under sagemaker.aws rather than amazonaws.com.
	sagemakerDomain bool
	// gateway and iface say which endpoint types the service offers.
	gateway, iface bool
	// privateDNS is the private DNS name of its interface endpoints, with REGION for the region; "" when the
	// service has none (S3's interface endpoints are reached by their endpoint-specific names).
	privateDNS string
	// noPolicy marks a service whose endpoints take no endpoint policy (VpcEndpointPolicySupported false).
	noPolicy bool
}

// endpointServices are the services of every region, in the order of their service names. The list holds the
// services an ML platform's private VPC needs (S3, STS, CloudWatch Logs and metrics, ECR, SageMaker's API,
// runtime, notebooks and Studio, EFS, KMS, Secrets Manager) and a few that sit beside them.
var endpointServices = []endpointService{
	{short: "notebook", sagemakerDomain: true, iface: true, privateDNS: "*.notebook.REGION.sagemaker.aws"},
	{short: "studio", sagemakerDomain: true, iface: true, privateDNS: "*.studio.REGION.sagemaker.aws"},
	{short: "application-autoscaling", iface: true, privateDNS: "application-autoscaling.REGION.amazonaws.com"},
	{short: "athena", iface: true, privateDNS: "athena.REGION.amazonaws.com"},
	{short: "autoscaling", iface: true, privateDNS: "autoscaling.REGION.amazonaws.com"},
	{short: "dynamodb", gateway: true},
	{short: "ec2", iface: true, privateDNS: "ec2.REGION.amazonaws.com"},
	{short: "ec2messages", iface: true, privateDNS: "ec2messages.REGION.amazonaws.com", noPolicy: true},
	{short: "ecr.api", iface: true, privateDNS: "api.ecr.REGION.amazonaws.com"},
	{short: "ecr.dkr", iface: true, privateDNS: "*.dkr.ecr.REGION.amazonaws.com"},
	{short: "elasticfilesystem", iface: true, privateDNS: "elasticfilesystem.REGION.amazonaws.com"},
	{short: "elasticloadbalancing", iface: true, privateDNS: "elasticloadbalancing.REGION.amazonaws.com"},
	{short: "events", iface: true, privateDNS: "events.REGION.amazonaws.com"},
	{short: "glue", iface: true, privateDNS: "glue.REGION.amazonaws.com"},
	{short: "kms", iface: true, privateDNS: "kms.REGION.amazonaws.com"},
	{short: "logs", iface: true, privateDNS: "logs.REGION.amazonaws.com"},
	{short: "monitoring", iface: true, privateDNS: "monitoring.REGION.amazonaws.com"},
	{short: "s3", gateway: true, iface: true},
	{short: "sagemaker.api", iface: true, privateDNS: "api.sagemaker.REGION.amazonaws.com"},
	{short: "sagemaker.featurestore-runtime", iface: true, privateDNS: "featurestore-runtime.sagemaker.REGION.amazonaws.com"},
	{short: "sagemaker.runtime", iface: true, privateDNS: "runtime.sagemaker.REGION.amazonaws.com"},
	{short: "secretsmanager", iface: true, privateDNS: "secretsmanager.REGION.amazonaws.com"},
	{short: "sns", iface: true, privateDNS: "sns.REGION.amazonaws.com"},
	{short: "sqs", iface: true, privateDNS: "sqs.REGION.amazonaws.com"},
	{short: "ssm", iface: true, privateDNS: "ssm.REGION.amazonaws.com"},
	{short: "ssmmessages", iface: true, privateDNS: "ssmmessages.REGION.amazonaws.com", noPolicy: true},
	{short: "sts", iface: true, privateDNS: "sts.REGION.amazonaws.com"},
}

// name is the service's name in a region: com.amazonaws.REGION.SHORT, or aws.sagemaker.REGION.SHORT.
func (e *endpointService) name(region string) string {
	if e.sagemakerDomain {
		return "aws.sagemaker." + region + "." + e.short
	}
	return "com.amazonaws." + region + "." + e.short
}

// privateDNSName is the name the service's interface endpoints answer for when private DNS is on; "" when none.
func (e *endpointService) privateDNSName(region string) string {
	return strings.ReplaceAll(e.privateDNS, "REGION", region)
}

// baseDNSName is the domain of an endpoint type's DNS names: the service's public name for a gateway, and the
// domain under which interface endpoints get their endpoint-specific names.
func (e *endpointService) baseDNSName(region, typ string) string {
	switch {
	case typ == "Gateway":
		return e.short + "." + region + ".amazonaws.com"
	case e.sagemakerDomain:
		return e.short + "." + region + ".vpce.sagemaker.aws"
	}
	return e.short + "." + region + ".vpce.amazonaws.com"
}

// types are the endpoint types the service offers, Gateway first.
func (e *endpointService) types() []string {
	var out []string
	if e.gateway {
		out = append(out, "Gateway")
	}
	if e.iface {
		out = append(out, "Interface")
	}
	return out
}

// offers reports whether the service takes endpoints of the type.
func (e *endpointService) offers(typ string) bool {
	return (typ == "Gateway" && e.gateway) || (typ == "Interface" && e.iface)
}

// findEndpointService returns the service of a region by its full name (com.amazonaws.us-east-1.s3); nil when the
// region has no such service.
func findEndpointService(region, name string) *endpointService {
	for i := range endpointServices {
		if endpointServices[i].name(region) == name {
			return &endpointServices[i]
		}
	}
	return nil
}

// serviceByShortName returns a service by the name sagebox knows it by ("s3", "sagemaker.api"); nil for none.
func serviceByShortName(short string) *endpointService {
	for i := range endpointServices {
		if endpointServices[i].short == short {
			return &endpointServices[i]
		}
	}
	return nil
}

// ServiceNames lists the short names of the services that VPC endpoints reach ("s3", "sts", …), sorted: what
// `sagebox reach --service` takes besides "internet".
func ServiceNames() []string {
	out := make([]string, len(endpointServices))
	for i, e := range endpointServices {
		out[i] = e.short
	}
	sort.Strings(out)
	return out
}

// serviceID is the id AWS gives an endpoint service of a type in a region (vpce-svc-…). sagebox derives it from
// the service's name and type, so that it is the same in every account and across restarts.
func serviceID(name, typ string) string {
	sum := sha256.Sum256([]byte(name + "/" + typ))
	return "vpce-svc-" + hex.EncodeToString(sum[:])[:17]
}

// prefixList is an AWS-managed prefix list: the public address ranges of a gateway service in a region.
type prefixList struct {
	ID    string
	Name  string
	CIDRs []string
}

// prefixListCIDRs are the address ranges of each gateway service's prefix list. AWS publishes them per region in
// ip-ranges.json; sagebox uses, in every region, ranges that AWS lists for the service in us-east-1 (S3:
// 3.5.0.0/19, 52.216.0.0/15, 54.231.0.0/16; DynamoDB: 3.218.180.0/22, 52.94.0.0/22, 52.119.224.0/20), so that
// routes, security group rules and network ACL entries that name them behave as they would in AWS.
var prefixListCIDRs = map[string][]string{
	"s3":       {"3.5.0.0/19", "52.216.0.0/15", "54.231.0.0/16"},
	"dynamodb": {"3.218.180.0/22", "52.94.0.0/22", "52.119.224.0/20"},
}

// prefixLists returns the AWS-managed prefix lists of a region, sorted by id.
func prefixLists(region string) []prefixList {
	var out []prefixList
	for i := range endpointServices {
		e := &endpointServices[i]
		if !e.gateway {
			continue
		}
		name := e.name(region)
		out = append(out, prefixList{ID: prefixListID(name), Name: name, CIDRs: prefixListCIDRs[e.short]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// prefixListID is the id of the prefix list named name (com.amazonaws.us-east-1.s3): pl- and 8 hexadecimal
// digits, as AWS's managed lists have (pl-63a5400a), taken from the FNV-1a hash of the name, so that a region's
// lists keep their ids in every account and across restarts.
func prefixListID(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return "pl-" + hex.EncodeToString(h.Sum(nil))
}

// findPrefixList returns the region's prefix list of a gateway service; false when it has none.
func findPrefixList(region string, e *endpointService) (prefixList, bool) {
	if e == nil || !e.gateway {
		return prefixList{}, false
	}
	name := e.name(region)
	return prefixList{ID: prefixListID(name), Name: name, CIDRs: prefixListCIDRs[e.short]}, true
}

// prefixListByID returns the region's prefix list with the id; false when there is none.
func prefixListByID(region, id string) (prefixList, bool) {
	for _, pl := range prefixLists(region) {
		if pl.ID == id {
			return pl, true
		}
	}
	return prefixList{}, false
}
