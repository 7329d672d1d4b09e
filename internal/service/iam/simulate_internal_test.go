package iam

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sagebox/sagebox/internal/policy"
)

// TestStatementSpans holds statementSpans to the positions AWS answered for documents whose text is known.
func TestStatementSpans(t *testing.T) {
	s3ReadOnly := "{\n\t\"Version\": \"2012-10-17\",\n\t\"Statement\": [\n\t\t{\n\t\t\t\"Effect\": \"Allow\",\n\t\t\t\"Action\": [\n" +
		"\t\t\t\t\"s3:Get*\",\n\t\t\t\t\"s3:List*\",\n\t\t\t\t\"s3:Describe*\",\n\t\t\t\t\"s3-object-lambda:Get*\",\n" +
		"\t\t\t\t\"s3-object-lambda:List*\"\n\t\t\t],\n\t\t\t\"Resource\": \"*\"\n\t\t}\n\t]\n}"
	cases := []struct {
		name, text string
		want       []statementSpan
	}{
		{
			// The AWS CLI reference, simulate-custom-policy: 1:38 to 1:167.
			"one statement written as an object",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`,
			[]statementSpan{{textPos{1, 38}, textPos{1, 167}}},
		},
		{
			// Python's json.dumps spacing, as boto3 users send it: AWS answers column 41 for the first statement.
			"a list after a space",
			`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`,
			[]statementSpan{{textPos{1, 41}, textPos{1, 103}}},
		},
		{
			// A bucket policy as GetBucketPolicy returns it: AWS answered 38 for the first statement's start and
			// the first statement's end for the second's.
			"the second statement starts where the first ends",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"*"}]}`,
			[]statementSpan{{textPos{1, 38}, textPos{1, 99}}, {textPos{1, 99}, textPos{1, 175}}},
		},
		{
			// AmazonS3ReadOnlyAccess as AWS keeps it, indented with tabs: AWS answers 3:16 to 14:4.
			"tabs count as one column", s3ReadOnly, []statementSpan{{textPos{3, 16}, textPos{14, 4}}},
		},
		{
			"CRLF ends a line once",
			"{\r\n\"Statement\": [\r\n{\"Effect\": \"Allow\",\r\n\"Action\": \"*\", \"Resource\": \"*\"}\r\n]}",
			[]statementSpan{{textPos{2, 15}, textPos{4, 32}}},
		},
		{
			"Latin-1 characters count as one column",
			`{"Id":"café","Statement":[{"Sid":"Ü","Effect":"Allow","Action":"*","Resource":"*"}]}`,
			[]statementSpan{{textPos{1, 27}, textPos{1, 83}}},
		},
		{"no Statement", `{"Version":"2012-10-17"}`, nil},
		{"not an object", `[]`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := statementSpans(c.text)
			if len(got) != len(c.want) {
				t.Fatalf("statementSpans = %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("statementSpans()[%d] = %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestVariableKeys(t *testing.T) {
	cases := []struct{ in, want string }{
		{"arn:aws:s3:::b/${aws:username}/*", "aws:username"},
		{"${aws:PrincipalTag/team, 'none'}-${ aws:userid }", "aws:PrincipalTag/team aws:userid"},
		{"literal ${*} ${?} ${$} and ${", ""},
		{"${unclosed", ""},
	}
	for _, c := range cases {
		var got []string
		variableKeys(c.in, func(k string) { got = append(got, k) })
		if strings.Join(got, " ") != c.want {
			t.Errorf("variableKeys(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzStatementSpans: on any text the scanner answers without panicking; on a document IAM accepts, it finds every
// statement, each starting before it ends, within the text.
func FuzzStatementSpans(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	f.Add("{\n  \"Statement\": [\n    {\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"NotResource\": \"arn:aws:s3:::b/${aws:username}\"},\r\n {\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringLike\":{\"k\":[\"${x}\"]}}}\n  ]\n}")
	f.Add(`{"Statement":[{"Sid":"a\"b","Effect":"Allow","Action":"*","Resource":"*"}],"Version":"2012-10-17"}`)
	f.Fuzz(func(t *testing.T, text string) {
		spans := statementSpans(text)
		lines := strings.Count(text, "\n") + strings.Count(text, "\r") + 1
		for _, sp := range spans {
			if sp.start.line < 1 || sp.start.column < 1 || sp.end.line > lines ||
				sp.start.line > sp.end.line || sp.start.line == sp.end.line && sp.start.column > sp.end.column ||
				sp.end.column > utf8.RuneCountInString(text)+1 {
				t.Fatalf("statementSpans(%q) has the span %v", text, sp)
			}
		}
		doc, err := policy.Parse(text, policy.Identity)
		if err != nil {
			return
		}
		if len(spans) != len(doc.Statements) {
			t.Fatalf("statementSpans(%q) found %d statements, Parse %d", text, len(spans), len(doc.Statements))
		}
		sp, err := compileSimPolicy("p", sourceIAMPolicy, text, doc, policy.IdentityPolicy)
		if err != nil {
			t.Fatal(err)
		}
		contextKeysOf([]*simPolicy{sp})
	})
}
