package sagemaker_test

// A real browser opens a presigned Studio URL: headless Chromium (Debian's chromium package, which CI installs)
// follows the redirect with the session cookie as any browser does, and the DOM it renders is the profile page.

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

const chromium = "/usr/bin/chromium"

// dumpDOM opens u in headless Chromium, with a profile of its own, and returns the DOM it rendered.
func dumpDOM(t *testing.T, u string) string {
	t.Helper()
	runCtx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(runCtx, chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--dump-dom", u)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\n%s", u, err, stderr.String())
	}
	return string(out)
}

func TestBrowserOpensPresignedStudioURL(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no headless browser: %s is missing (Debian: apt-get install chromium chromium-driver; CI installs it)", chromium)
	}
	if testing.Short() {
		t.Skip("starts a browser; not in -short")
	}
	f := start(t)
	s := f.presignStudio(t, "Alice")
	if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("Alice"),
		AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default")}); err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	u := f.presign(t, f.SM, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("Alice")})

	dom := dumpDOM(t, u)
	for _, want := range []string{`<span id="profile-name">Alice</span>`, s.domain, s.role, "AmazonSageMakerFullAccess", "<td>JupyterServer</td><td>default</td><td>InService</td>"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the browser's page for the presigned URL shows no %q; its DOM:\n%s", want, dom)
		}
	}

	// The same URL a second time, in another browser: used once, it is refused.
	dom = dumpDOM(t, u)
	if !strings.Contains(dom, "Invalid or expired auth token") || !strings.Contains(dom, "already been used") {
		t.Errorf("the browser's page for a used URL does not refuse it; its DOM:\n%s", dom)
	}
}
