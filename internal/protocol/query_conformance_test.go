package protocol

import "testing"

// The query conformance suites run every case of botocore's query vectors (current and legacy) through the codec.
// A case is skipped only when it tests what a client does and a server cannot observe; each says why.

// xmlSkipCompression, xmlSkipIdempotency and xmlSkipEmptyMap are the reasons shared by the XML-family suites.
const (
	xmlSkipCompression = "request compression is the client's: the vector gives the Content-Encoding a client " +
		"sets, not a body a server could decode"
	xmlSkipIdempotency = "the client fills in an idempotency token the caller left out; a server sees the token " +
		"(the companion case with the token set passes)"
	xmlSkipEmptyMap = "a client sends nothing for an empty map, so the request cannot tell it from an absent one"
)

var queryInputSkips = map[string]string{
	"SDKAppliedContentEncoding_awsQuery":                    xmlSkipCompression,
	"SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsQuery": xmlSkipCompression,
	"QueryProtocolIdempotencyTokenAutoFill":                 xmlSkipIdempotency,
	"input/Idempotency token auto fill#1":                   xmlSkipIdempotency,
	"QueryEmptyQueryMaps":                                   xmlSkipEmptyMap,
}

var queryOutputSkips = map[string]string{}

func TestQueryConformanceInput(t *testing.T) {
	runXMLInputCases(t, "query", Query(), queryInputSkips)
}

func TestQueryConformanceOutput(t *testing.T) {
	runXMLOutputCases(t, "query", Query(), queryOutputSkips)
}
