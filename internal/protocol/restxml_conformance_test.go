package protocol

import "testing"

// The rest-xml conformance suites; see query_conformance_test.go.

// xmlSkipShapeLocation: some legacy cases put "location" on a shape rather than on the member that refers to it,
// a form that no served model uses and that model.Shape does not carry.
const xmlSkipShapeLocation = "the legacy case puts the location trait on the shape instead of the member, a form " +
	"no served model uses (model.Shape has no location)"

var restXMLInputSkips = map[string]string{
	"SDKAppliedContentEncoding_restXml":            xmlSkipCompression,
	"SDKAppendedGzipAfterProvidedEncoding_restXml": xmlSkipCompression,
	"QueryIdempotencyTokenAutoFill":                xmlSkipIdempotency,
	"input/Idempotency token auto fill#1":          xmlSkipIdempotency,
	"HttpPrefixHeadersAreNotPresent":               "a client sends no header for an empty prefix-header map, so the request cannot tell it from an absent one",
	"RestXmlQueryPrecedence":                       "the client drops the map entry that a named query parameter overrides, so the request no longer carries it",
	"input/Header maps#0":                          xmlSkipShapeLocation,
	"input/List in header#1":                       "a client sends no header for an empty list, so the request cannot tell it from an absent one",
}

var restXMLOutputSkips = map[string]string{
	"output/Scalar members#0":            xmlSkipShapeLocation,
	"output/Scalar members#1":            xmlSkipShapeLocation,
	"output/Scalar members in headers#0": xmlSkipShapeLocation,
	"output/Modeled exceptions#0":        xmlSkipShapeLocation,
	"output/REST XML Event Stream#0":     "event streams (S3 SelectObjectContent) are not served",
	"output/REST XML Event Stream#1":     "event streams (S3 SelectObjectContent) are not served",
	"output/REST XML Event Stream#2":     "event streams (S3 SelectObjectContent) are not served",
	"output/Unions#2":                    "SDK_UNKNOWN_MEMBER is how a client holds a union member it does not know; a server never sends one",
}

func TestRestXMLConformanceInput(t *testing.T) {
	runXMLInputCases(t, "rest-xml", RestXML(), restXMLInputSkips)
}

func TestRestXMLConformanceOutput(t *testing.T) {
	runXMLOutputCases(t, "rest-xml", RestXML(), restXMLOutputSkips)
}
