package policy

// Parse parses text and validates it as IAM does for the kind. When IAM would refuse the document, the error is
// a *Error whose Message is IAM's MalformedPolicyDocument text. Parse checks the document alone: whether the IAM
// users and roles it names exist is for the caller to check (AWSPrincipals), and so is the size quota (Size).
func Parse(text string, kind Kind) (*Document, error) {
	var rd *rawDocument
	root, err := parseJSON(text)
	if err == nil && root.kind == jObject {
		rd = decodeDocument(root, kind)
	}
	var perr *Error
	switch kind {
	case Trust, Resource:
		perr = checkResourceBased(root, rd, kind)
	case Identity, Managed, Session, ServiceControl:
		perr = checkIdentityBased(rd, kind)
	default:
		perr = newError(CodeSyntax, -1, "", msgSyntax)
	}
	if perr != nil {
		if kind == ServiceControl {
			perr.Message = msgPolicyType
		}
		return nil, perr
	}
	return rd.doc, nil
}
