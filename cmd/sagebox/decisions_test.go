package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestDecisionsExplainAndSCPCommands runs `sagebox serve`, has an IAM user without policies denied, and reads the
// denial back with `sagebox decisions` and `sagebox explain`; then manages an SCP with `sagebox scps` and sees it
// deny the root user.
func TestDecisionsExplainAndSCPCommands(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var serverOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--memory", "--addr", addr, "--log-level", "warn", "--authz-mode", "enforce"}, &serverOut, &serverOut)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	endpoint := "--endpoint=http://" + addr
	sagebox := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := run(context.Background(), append(args, endpoint), &out, &out)
		return code, out.String()
	}
	deadline := time.Now().Add(10 * time.Second)
	for code, _ := sagebox("clock", "show"); code != 0; code, _ = sagebox("clock", "show") {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not come up: %s", serverOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(serverOut.String(), "authz     enforce:") {
		t.Errorf("the banner does not say the authorization mode:\n%s", serverOut.String())
	}

	cfg := func(key, secret string) aws.Config {
		return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
			BaseEndpoint: aws.String("http://" + addr), RetryMaxAttempts: 1}
	}
	root := iam.NewFromConfig(cfg("test", "test"))
	bg := context.Background()
	if _, err := root.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("carol")})
	if err != nil {
		t.Fatal(err)
	}
	carol := iam.NewFromConfig(cfg(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)))
	_, err = carol.GetUser(bg, &iam.GetUserInput{UserName: aws.String("carol")})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("GetUser by a user without policies = %v, want a denial", err)
	}
	requestID := re.ServiceRequestID()

	code, out := sagebox("decisions", "--denied", "--limit", "5")
	if code != 0 || !strings.Contains(out, requestID) || !strings.Contains(out, "implicitDeny") ||
		!strings.Contains(out, "arn:aws:iam::000000000000:user/carol") || !strings.Contains(out, "iam:GetUser") {
		t.Errorf("sagebox decisions --denied: exit %d\n%s\nwant the denial of request %s", code, out, requestID)
	}
	code, out = sagebox("explain", requestID)
	for _, want := range []string{
		"of request " + requestID,
		"principal  arn:aws:iam::000000000000:user/carol (User)",
		"outcome    implicitDeny — refused",
		"because no identity-based policy allows the iam:GetUser action",
		"no allow   in any identity-based policy that applies",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("sagebox explain %s: exit %d\n%s\nwant a line with %q", requestID, code, out, want)
		}
	}
	if code, out = sagebox("explain", "no-such-request"); code != 1 || !strings.Contains(out, "has no request") {
		t.Errorf("sagebox explain of an unknown request: exit %d %s, want 1 and why", code, out)
	}
	if code, _ = sagebox("explain"); code != 2 {
		t.Errorf("sagebox explain without a request id: exit %d, want 2", code)
	}

	dir := t.TempDir()
	write := func(name, doc string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	allowAll := write("all.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	noUsers := write("deny.json", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}}`)
	if code, out = sagebox("scps", "put", "FullAWSAccess", allowAll); code != 0 || !strings.Contains(out, "SCP FullAWSAccess of account 000000000000 put") {
		t.Errorf("sagebox scps put: exit %d %s", code, out)
	}
	if code, out = sagebox("scps", "put", "NoListUsers", noUsers, "--account", "000000000000"); code != 0 {
		t.Errorf("sagebox scps put --account: exit %d %s", code, out)
	}
	if code, out = sagebox("scps", "list"); code != 0 || !strings.Contains(out, "FullAWSAccess") || !strings.Contains(out, "NoListUsers") {
		t.Errorf("sagebox scps list: exit %d\n%s", code, out)
	}
	_, err = root.ListUsers(bg, &iam.ListUsersInput{})
	if err == nil || !strings.Contains(err.Error(), "with an explicit deny in a service control policy") {
		t.Errorf("ListUsers by root under an SCP that denies it: %v", err)
	}
	if code, out = sagebox("scps", "delete", "NoListUsers"); code != 0 || !strings.Contains(out, "deleted") {
		t.Errorf("sagebox scps delete: exit %d %s", code, out)
	}
	if _, err = root.ListUsers(bg, &iam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers by root once the SCP is deleted: %v", err)
	}
	if code, out = sagebox("scps", "put", "Bad", write("bad.json", `{"Statement":[]`)); code != 1 || !strings.Contains(out, "not a valid SCP") {
		t.Errorf("sagebox scps put of a bad document: exit %d %s, want 1 and why", code, out)
	}
	if code, _ = sagebox("scps", "put", "OnlyAName"); code != 2 {
		t.Errorf("sagebox scps put without a file: exit %d, want 2", code)
	}
}
