package protocol

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sagebox/sagebox/internal/awserr"
)

func TestEC2DecodeErrors(t *testing.T) {
	ec2 := xmlService(t, "ec2")
	tests := []struct {
		name, body string
		code, msg  string
	}{
		{"unknown action", "Action=DescribeVpc&Version=2016-11-15", "InvalidAction",
			"The action DescribeVpc is not valid for this web service."},
		{"no action", "Version=2016-11-15", "MissingAction", "The request must contain the parameter Action"},
		{"unknown parameter", "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&Description=x",
			"UnknownParameter", "The parameter Description is not recognized"},
		{"query-style list", "Action=DescribeVpcs&Version=2016-11-15&VpcId.member.1=vpc-1", "InvalidParameterValue", ""},
		{"boolean that is not", "Action=DescribeVpcs&Version=2016-11-15&DryRun=yes", "InvalidParameterValue", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := EC2().Decode(ec2, formRequest(tt.body), []byte(tt.body))
			var e *awserr.Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode(%q) = %v, want an *awserr.Error", tt.body, err)
			}
			rec := httptest.NewRecorder()
			EC2().EncodeError(rec, ec2, nil, e, Meta{RequestID: "rid"})
			p, perr := xmlClientParse("ec2", ec2, ec2.Operations["DescribeVpcs"], rec.Code, rec.Header(), rec.Body.Bytes())
			if perr != nil {
				t.Fatal(perr)
			}
			if rec.Code != 400 || p.code != tt.code || (tt.msg != "" && p.message != tt.msg) {
				t.Errorf("Decode(%q) answered %d %q %q, want 400 %q %q", tt.body, rec.Code, p.code, p.message, tt.code, tt.msg)
			}
		})
	}
}

func TestEC2ValidationError(t *testing.T) {
	ec2 := xmlService(t, "ec2")
	subnet := ec2.Shapes["CreateSubnetRequest"]
	vpcID := subnet.MemberNamed("VpcId")
	dryRun := subnet.MemberNamed("DryRun")
	tests := []struct {
		name       string
		violations []Violation
		code, msg  string
	}{
		{"a missing parameter first", []Violation{
			{Path: "dryRun", Ref: dryRun, Value: "x", Constraint: "Member must be a boolean"},
			{Path: "vpcId", Ref: vpcID, Missing: true, Constraint: "Member must not be null"},
		}, "MissingParameter", "The request must contain the parameter VpcId"},
		{"an invalid value", []Violation{
			{Path: "vpcId", Ref: vpcID, Value: "vpc_1", Constraint: "Member must have length less than or equal to 3"},
		}, "InvalidParameterValue", "Value (vpc_1) for parameter vpcId is invalid. Member must have length less than or equal to 3."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := EC2().ValidationError(tt.violations)
			if e.Code != tt.code || e.Message != tt.msg || e.Status != 400 {
				t.Errorf("ValidationError(%v) = %q %q %d, want %q %q 400", tt.violations, e.Code, e.Message, e.Status, tt.code, tt.msg)
			}
		})
	}
}

func TestEC2ErrorKinds(t *testing.T) {
	ec2 := xmlService(t, "ec2")
	tests := []struct {
		err    *awserr.Error
		status int
		code   string
	}{
		{awserr.Newf(awserr.KindUnknownAccessKey, ""), 401, "AuthFailure"},
		{awserr.Newf(awserr.KindClockSkew, ""), 400, "RequestExpired"},
		{awserr.Newf(awserr.KindAccessDenied, "You are not authorized to perform this operation. Encoded authorization failure message: abc"), 403, "UnauthorizedOperation"},
		{awserr.Newf(awserr.KindDryRun, ""), 412, "DryRunOperation"},
		{awserr.Newf(awserr.KindMissingParameter, "The request must contain the parameter VpcId"), 400, "MissingParameter"},
		{awserr.Internal(nil), 500, "InternalError"},
		{awserr.New("InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist"), 400, "InvalidVpcID.NotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			rec := httptest.NewRecorder()
			EC2().EncodeError(rec, ec2, nil, tt.err, Meta{RequestID: "rid"})
			p, err := xmlClientParse("ec2", ec2, ec2.Operations["DescribeVpcs"], rec.Code, rec.Header(), rec.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.status || p.code != tt.code || p.message == "" {
				t.Errorf("EncodeError(%v) = %d %q %q, want %d %q and a message", tt.err, rec.Code, p.code, p.message, tt.status, tt.code)
			}
			if !strings.Contains(rec.Body.String(), "<RequestID>rid</RequestID>") {
				t.Errorf("EncodeError(%v) = %s, want the request id in RequestID", tt.err, rec.Body.String())
			}
		})
	}
}
