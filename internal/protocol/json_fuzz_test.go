package protocol

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/sagebox/sagebox/internal/awserr"
)

// jsonFuzzSeeds are request bodies for operations of SageMaker and Logs.
var jsonFuzzSeeds = []struct{ op, body string }{
	{"SageMaker.CreateDomain", `{"DomainName":"studio","AuthMode":"IAM","DefaultUserSettings":{"ExecutionRole":"arn:aws:iam::000000000000:role/sm","SecurityGroups":["sg-1"]},"SubnetIds":["subnet-1"],"VpcId":"vpc-1","Tags":[{"Key":"k","Value":"v"}]}`},
	{"SageMaker.CreateTrainingJob", `{"TrainingJobName":"j","RoleArn":"arn:aws:iam::000000000000:role/sm","OutputDataConfig":{"S3OutputPath":"s3://b"},"HyperParameters":{"a":"1"},"StoppingCondition":{"MaxRuntimeInSeconds":3600},"ResourceConfig":{"InstanceType":"ml.m5.large","InstanceCount":1,"VolumeSizeInGB":30}}`},
	{"SageMaker.ListTrainingJobs", `{"CreationTimeAfter":1.5765E9,"MaxResults":10,"SortOrder":"Ascending"}`},
	{"SageMaker.CreateEndpointConfig", `{"EndpointConfigName":"c","ProductionVariants":[{"VariantName":"v","ModelName":"m","InitialVariantWeight":1.5,"InitialInstanceCount":1}]}`},
	{"SageMaker.Search", `{"Resource":"TrainingJob","SearchExpression":{"SubExpressions":[{"Filters":[{"Name":"x","Operator":"Equals","Value":"y"}]}],"Operator":"And"}}`},
	{"Logs_20140328.PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1700000000000,"message":"m"}]}`},
	{"Logs_20140328.CreateLogGroup", `{"logGroupName":"g","tags":{"k":"v"}}`},
	{"SageMaker.DescribeDomain", `{"DomainId": "\u0064-1\ud83d\ude00"}`},
	{"SageMaker.DescribeDomain", `[`},
	{"SageMaker.DescribeDomain", `{"DomainId":1e999}`},
}

// FuzzJSONDecode decodes arbitrary bodies with SageMaker's and Logs' real models. Decoding must never panic and
// must answer with a SerializationException or a tree; a tree must validate, and encode back (following the same
// shape) into JSON that decodes to the same tree.
func FuzzJSONDecode(f *testing.F) {
	for _, s := range jsonFuzzSeeds {
		f.Add(s.op, []byte(s.body))
	}
	sagemaker, logs := realService(f, "sagemaker"), realService(f, "logs")
	codec := JSON()
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		svc := sagemaker
		if len(target) > 5 && target[:5] == "Logs_" {
			svc = logs
		}
		op, in, err := codec.Decode(svc, jsonRequest(target, ""), body)
		if err != nil {
			e, ok := err.(*awserr.Error)
			if !ok || e.Kind != awserr.KindMalformedInput && e.Kind != awserr.KindUnknownOperation {
				t.Fatalf("Decode(%s, %q) = %v, want a SerializationException or UnknownOperationException", target, body, err)
			}
			return
		}
		if in == nil {
			t.Fatalf("Decode(%s, %q) gave no input and no error", target, body)
		}
		for _, v := range Validate(op.Input, in) {
			if v.Path == "" || v.Constraint == "" || v.Ref == nil {
				t.Fatalf("Validate(%q) gave an incomplete violation %+v", body, v)
			}
		}
		if op.Input == nil {
			return
		}
		again, err := appendJSONStructure(nil, op.Input.Shape, in, 0)
		if err != nil {
			t.Fatalf("Decode(%q) = %s, which does not encode: %v", body, show(in), err)
		}
		in2, err := decodeJSONBody(op.Input, again)
		if err != nil {
			t.Fatalf("Decode(%q) = %s, encoded as %s, which does not decode: %v", body, show(in), again, err)
		}
		if !equal(in, in2) {
			t.Fatalf("Decode(%q) = %s, encoded as %s, decoded as %s", body, show(in), again, show(in2))
		}
	})
}

// FuzzValidate validates trees of any shape against real operations: the trees that encoding/json makes of
// arbitrary JSON (wrong types everywhere) and those the codec decodes. Validation must not panic, must be
// deterministic, and must give violations that render.
func FuzzValidate(f *testing.F) {
	for _, s := range jsonFuzzSeeds {
		f.Add(s.op, []byte(s.body))
	}
	f.Add("SageMaker.CreateDomain", []byte(`{"DomainName":["x"],"SubnetIds":"s","Tags":[1,null,{"Key":{}}],"DefaultUserSettings":[]}`))
	f.Add("Logs_20140328.CreateLogGroup", []byte(`{"logGroupName":"","tags":{"bad!":"v!","":null}}`))
	sagemaker, logs := realService(f, "sagemaker"), realService(f, "logs")
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		svc := sagemaker
		if len(target) > 5 && target[:5] == "Logs_" {
			svc = logs
		}
		op := jsonOperation(svc, target)
		if op == nil {
			op = svc.Operations["CreateDomain"]
			if op == nil {
				op = svc.Operations["PutLogEvents"]
			}
		}
		var trees []map[string]any
		var loose map[string]any
		if json.Unmarshal(body, &loose) == nil && loose != nil {
			trees = append(trees, loose)
		}
		if strict, err := decodeJSONBody(op.Input, body); err == nil {
			trees = append(trees, strict)
		}
		for _, tree := range trees {
			first := Validate(op.Input, tree)
			second := Validate(op.Input, tree)
			if len(first) != len(second) {
				t.Fatalf("Validate(%s) is not deterministic: %d then %d violations", body, len(first), len(second))
			}
			for i, v := range first {
				if v.Path == "" || v.Constraint == "" || v.Ref == nil || v.Path != second[i].Path || v.Constraint != second[i].Constraint {
					t.Fatalf("Validate(%s) violation %d = %+v, then %+v", body, i, v, second[i])
				}
			}
			if len(first) > 0 {
				rec := httptest.NewRecorder()
				JSON().EncodeError(rec, svc, op, JSON().ValidationError(first), Meta{})
				if !json.Valid(rec.Body.Bytes()) {
					t.Fatalf("the ValidationException for %s is not JSON: %s", body, rec.Body)
				}
			}
		}
	})
}
