package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/sigv4"
)

var rootCreds = sigv4.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}

// send signs a raw request as an SDK would and returns the status and body of the answer.
func send(t *testing.T, method, url, contentType, target, body string, creds *sigv4.Credentials, service string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if creds != nil {
		sigv4.Sign(req, []byte(body), *creds, "us-east-1", service, time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// TestUnknownOperationsGetTheProtocolsError: an operation no model has is answered in the protocol's own words.
func TestUnknownOperationsGetTheProtocolsError(t *testing.T) {
	s := start(t)
	const form = "application/x-www-form-urlencoded"
	status, body := send(t, http.MethodPost, s.url+"/", form, "", "Action=MakeCoffee&Version=2011-06-15", &rootCreds, "sts")
	if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") {
		t.Errorf("STS MakeCoffee: %d %s, want 400 InvalidAction", status, body)
	}
	status, body = send(t, http.MethodPost, s.url+"/", "application/x-amz-json-1.1", "SageMaker.MakeCoffee", "{}", &rootCreds, "sagemaker")
	if status != 400 || !strings.Contains(body, `"UnknownOperationException"`) {
		t.Errorf("SageMaker MakeCoffee: %d %s, want 400 UnknownOperationException", status, body)
	}
	status, body = send(t, http.MethodPost, s.url+"/", form, "", "Action=MakeCoffee&Version=2016-11-15", &rootCreds, "ec2")
	if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") {
		t.Errorf("EC2 MakeCoffee: %d %s, want 400 InvalidAction", status, body)
	}
	status, body = send(t, http.MethodPost, s.url+"/", form, "", "Action=GetCallerIdentity&Version=2011-06-15", &rootCreds, "dynamodb")
	if status != 501 || !strings.Contains(body, "does not serve the dynamodb service") {
		t.Errorf("a request signed for DynamoDB: %d %s, want 501 naming dynamodb", status, body)
	}
}

// TestPresignedGetCallerIdentity: a presigned URL, as Vault and EKS use for STS, authenticates its bearer.
func TestPresignedGetCallerIdentity(t *testing.T) {
	s := start(t)
	req, _ := http.NewRequest(http.MethodGet, s.url+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	url := sigv4.Presign(req, rootCreds, "us-east-1", "sts", time.Now(), 15*time.Minute)
	status, body := send(t, http.MethodGet, url, "", "", "", nil, "")
	if status != 200 || !strings.Contains(body, "<Arn>arn:aws:iam::000000000000:root</Arn>") {
		t.Fatalf("presigned GetCallerIdentity: %d %s", status, body)
	}
	tampered := strings.Replace(url, "GetCallerIdentity", "GetCallerIdentitx", 1)
	if status, body := send(t, http.MethodGet, tampered, "", "", "", nil, ""); status != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Errorf("a tampered presigned URL: %d %s, want 403 SignatureDoesNotMatch", status, body)
	}
}

// TestAdminAPIBeyondLoopbackNeedsTheRootSignature serves the admin API as sagebox does on a non-loopback address.
func TestAdminAPIBeyondLoopbackNeedsTheRootSignature(t *testing.T) {
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.Log = quietLogger(t)
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	hs := httptest.NewServer(a.Handler(false))
	defer hs.Close()
	if status, body := send(t, http.MethodGet, hs.URL+"/_sagebox/clock", "", "", "", nil, ""); status != http.StatusForbidden {
		t.Errorf("unsigned admin request: %d %s, want 403", status, body)
	}
	if status, body := send(t, http.MethodGet, hs.URL+"/_sagebox/clock", "", "", "", &rootCreds, "sagebox"); status != 200 || !strings.Contains(body, `"offset"`) {
		t.Errorf("admin request signed by root: %d %s, want 200", status, body)
	}
	acct, err := a.CreateAccount(context.Background(), "other")
	if err != nil {
		t.Fatal(err)
	}
	other := sigv4.Credentials{AccessKeyID: acct.RootAccessKeyID, SecretAccessKey: acct.RootSecretAccessKey}
	if status, body := send(t, http.MethodPost, hs.URL+"/_sagebox/reset", "", "", "", &other, "sagebox"); status != http.StatusForbidden {
		t.Errorf("reset signed by another account's root: %d %s, want 403", status, body)
	}
	if status, _ := send(t, http.MethodPost, hs.URL+"/_sagebox/clock", "application/json", "", `{"advance":"1m"}`, &rootCreds, "sagebox"); status != 200 {
		t.Errorf("a signed admin POST with a body: %d, want 200", status)
	}
}
