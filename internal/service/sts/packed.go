package sts

import (
	"fmt"

	"github.com/sagebox/sagebox/internal/awserr"
)

// The packed size of session policies and tags. AWS "compresses the passed session policies and session tags into
// a packed binary format that has a separate limit" and answers PackedPolicySize, "a percentage value that
// indicates the packed size of the session policies and session tags combined"; it documents neither the format
// nor the limit. sagebox approximates both: the packed size is the plaintext of the inline policy as IAM minifies
// it (no whitespace), of the managed policy ARNs and of the tags' keys and values, and the allotment is a little
// more than the 2,048 characters an inline policy may have on its own. The STS API Reference's example — a
// one-statement policy and two tags, 8 percent on AWS — comes out at 7; a policy near the plaintext limit with a
// few managed policy ARNs or long tags goes over, as it can on AWS ("Your request can fail for this limit even if
// your plaintext meets the other requirements"). The exact percentages differ from AWS's.

// packedAllotment is the approximate space, in bytes, that sagebox allots to session policies and tags.
const packedAllotment = 2150

// packedSize returns the percentage of the allotment that the session's policies and tags use, all together and
// the tags alone: policy is the minified inline policy (empty without one).
func packedSize(policy []byte, arns []string, tags []sessionTag) (total, ofTags int) {
	pol := len(policy)
	for _, a := range arns {
		pol += len(a)
	}
	tg := 0
	for _, t := range tags {
		tg += len(t.Key) + len(t.Value)
	}
	return percent(pol + tg), percent(tg)
}

// percent rounds up, so that anything that takes space shows at least 1 percent.
func percent(n int) int { return (n*100 + packedAllotment - 1) / packedAllotment }

// packedTooLarge is AWS's refusal, in its two wordings: "Packed size of session tags consumes n% of allotted space."
// and "Packed policy consumes n% of allotted space, please use smaller policy." (AWS Knowledge Center, "How can I
// avoid getting a PackedPolicyTooLarge error").
func packedTooLarge(total, ofTags int) error {
	if ofTags > 100 {
		return awserr.New("PackedPolicyTooLarge", "%s", fmt.Sprintf("Packed size of session tags consumes %d%% of allotted space.", ofTags))
	}
	return awserr.New("PackedPolicyTooLarge", "%s", fmt.Sprintf("Packed policy consumes %d%% of allotted space, please use smaller policy.", total))
}
