package iam_test

// The harness every IAM test uses: a real sagebox on a loopback port, and aws-sdk-go-v2 clients for it.

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/apptest"
)

type fixture struct {
	*app.App
	URL string
	// IAM and STS are clients of the default account's root user.
	IAM *iam.Client
	STS *sts.Client
}

var ctx = context.Background()

// start runs a sagebox with its state in memory, stopped when the test ends.
func start(t testing.TB) *fixture {
	t.Helper()
	return startWith(t, apptest.Config())
}

// startWith runs a sagebox with cfg; a test that restarts uses a data directory and calls it twice.
func startWith(t testing.TB, cfg app.Config) *fixture {
	t.Helper()
	a, url, _ := apptest.Serve(t, cfg)
	f := &fixture{App: a, URL: url}
	f.IAM = iam.NewFromConfig(f.Config("test", "test", ""))
	f.STS = sts.NewFromConfig(f.Config("test", "test", ""))
	return f
}

// Config returns an SDK configuration for the server with the given credentials.
func (f *fixture) Config(key, secret, token string) aws.Config {
	return apptest.SDK(f.URL, key, secret, token)
}

// apiError returns the code, message and HTTP status of err, which must be an AWS API error.
func apiError(t testing.TB, err error) (code, message string, status int) {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded, want an error")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an AWS API error", err, err)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), ae.ErrorMessage(), status
}

// wantError fails the test unless err is the AWS error code with the message (when message is not empty) and
// the status (when status is not 0).
func wantError(t testing.TB, what string, err error, code, message string, status int) {
	t.Helper()
	gotCode, gotMessage, gotStatus := apiError(t, err)
	if gotCode != code || (message != "" && gotMessage != message) || (status != 0 && gotStatus != status) {
		t.Errorf("%s: %s %q (HTTP %d), want %s %q (HTTP %d)", what, gotCode, gotMessage, gotStatus, code, message, status)
	}
}
