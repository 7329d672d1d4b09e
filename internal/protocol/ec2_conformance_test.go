package protocol

import "testing"

// The ec2 conformance suites; see query_conformance_test.go.

var ec2InputSkips = map[string]string{
	"SDKAppliedContentEncoding_ec2Query":                    xmlSkipCompression,
	"SDKAppendsGzipAndIgnoresHttpProvidedEncoding_ec2Query": xmlSkipCompression,
	"Ec2ProtocolIdempotencyTokenAutoFill":                   xmlSkipIdempotency,
	"input/Idempotency token auto fill#1":                   xmlSkipIdempotency,
	"Ec2EmptyQueryLists":                                    "an ec2 client sends nothing for an empty list, so the request cannot tell it from an absent one",
}

var ec2OutputSkips = map[string]string{}

func TestEC2ConformanceInput(t *testing.T) {
	runXMLInputCases(t, "ec2", EC2(), ec2InputSkips)
}

func TestEC2ConformanceOutput(t *testing.T) {
	runXMLOutputCases(t, "ec2", EC2(), ec2OutputSkips)
}
