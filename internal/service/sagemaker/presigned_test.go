package sagemaker_test

// CreatePresignedDomainUrl through the front door, and the Studio page its URL opens.

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// presignStudio is the seed documents' Studio: a VpcOnly IAM domain in a private network whose execution role
// trusts SageMaker with AmazonSageMakerFullAccess, and the profiles named.
type presignStudio struct {
	domain, role string
}

func (f *fixture) presignStudio(t testing.TB, profiles ...string) presignStudio {
	t.Helper()
	n := f.privateNetwork(t)
	s := presignStudio{role: f.executionRole(t, "studio-execution")}
	out, err := f.SM.CreateDomain(ctx, &sagemaker.CreateDomainInput{
		DomainName: aws.String("research"), AuthMode: smtypes.AuthModeIam, VpcId: aws.String(n.VPC), SubnetIds: n.Subnets,
		AppNetworkAccessType: smtypes.AppNetworkAccessTypeVpcOnly,
		DefaultUserSettings:  &smtypes.UserSettings{ExecutionRole: aws.String(s.role), SecurityGroups: []string{n.Group}},
	})
	if err != nil {
		t.Fatalf("CreateDomain: %v", err)
	}
	arn := aws.ToString(out.DomainArn)
	s.domain = arn[strings.LastIndex(arn, "/")+1:]
	for _, p := range profiles {
		if _, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(s.domain), UserProfileName: aws.String(p)}); err != nil {
			t.Fatalf("CreateUserProfile(%s): %v", p, err)
		}
	}
	return s
}

// presignBrowser is an HTTP client that keeps cookies and follows redirects, as a browser does.
func presignBrowser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func presignOpen(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func wantStudio(t testing.TB, what string, status int, body string, wantStatus int, wants ...string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s answered %d, want %d; the page says:\n%s", what, status, wantStatus, body)
		return
	}
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s shows no %q; the page says:\n%s", what, w, body)
		}
	}
}

func (f *fixture) presign(t testing.TB, sm *sagemaker.Client, in *sagemaker.CreatePresignedDomainUrlInput) string {
	t.Helper()
	out, err := sm.CreatePresignedDomainUrl(ctx, in)
	if err != nil {
		t.Fatalf("CreatePresignedDomainUrl(%s, %s): %v", aws.ToString(in.DomainId), aws.ToString(in.UserProfileName), err)
	}
	return aws.ToString(out.AuthorizedUrl)
}

func TestPresignedDomainURLOpensTheProfilesPage(t *testing.T) {
	f := start(t)
	s := f.presignStudio(t, "Alice")
	if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("Alice"),
		AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default")}); err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	if _, err := f.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("studio-execution"), PolicyName: aws.String("read-datasets"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::datasets/*"}]}`)}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	u := f.presign(t, f.SM, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("alice")})
	if want := f.URL + "/_sagebox/studio/auth?token="; !strings.HasPrefix(u, want) || len(u) == len(want) {
		t.Fatalf("AuthorizedUrl = %s, want %s followed by a token", u, want)
	}
	status, body := presignOpen(t, presignBrowser(t), u)
	wantStudio(t, "the presigned URL", status, body, http.StatusOK,
		"Alice", s.domain, "research", "VpcOnly", s.role, "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess", "inline policy <code>read-datasets</code>",
		"<td>JupyterServer</td><td>default</td><td>InService</td>")
}

func TestPresignedDomainURLIsAuthorizedOnTheUserProfile(t *testing.T) {
	f := start(t)
	s := f.presignStudio(t, "alice", "bob")
	// The seed documents' pattern: each user may open only the profile named after them.
	own := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:CreatePresignedDomainUrl","Resource":"arn:aws:sagemaker:*:*:user-profile/*/${aws:username}"}]}`
	alice := f.user(t, "alice", own)
	t.Run("for one's own profile", func(t *testing.T) {
		u := f.presign(t, alice.SM, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("alice")})
		status, body := presignOpen(t, presignBrowser(t), u)
		wantStudio(t, "alice's URL", status, body, http.StatusOK, "alice")
	})
	t.Run("for another's profile", func(t *testing.T) {
		_, err := alice.SM.CreatePresignedDomainUrl(ctx, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("bob")})
		wantError(t, "CreatePresignedDomainUrl(bob) by alice", err, "AccessDeniedException",
			"User: arn:aws:iam::"+account+":user/alice is not authorized to perform: sagemaker:CreatePresignedDomainUrl on resource: arn:aws:sagemaker:us-east-1:"+account+":user-profile/"+s.domain+"/bob because no identity-based policy allows the sagemaker:CreatePresignedDomainUrl action")
	})
	t.Run("before saying what does not exist", func(t *testing.T) {
		_, err := alice.SM.CreatePresignedDomainUrl(ctx, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String("d-000000000000"), UserProfileName: aws.String("carol")})
		wantError(t, "CreatePresignedDomainUrl(carol of an unknown domain) by alice", err, "AccessDeniedException", "")
	})
	t.Run("in lower case, as SageMaker writes names in ARNs", func(t *testing.T) {
		// Profile names are not case-sensitive; the ARN authorized is the lower-cased one.
		u := f.presign(t, alice.SM, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("ALICE")})
		if u == "" {
			t.Error("CreatePresignedDomainUrl(ALICE) by alice returned no URL")
		}
	})
}

func TestPresignedDomainURLRefusals(t *testing.T) {
	f := start(t)
	s := f.presignStudio(t, "Alice")
	in := func(mod func(*sagemaker.CreatePresignedDomainUrlInput)) *sagemaker.CreatePresignedDomainUrlInput {
		v := &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("Alice")}
		mod(v)
		return v
	}
	for _, tc := range []struct {
		name          string
		in            *sagemaker.CreatePresignedDomainUrlInput
		code, message string
	}{
		{"ExpiresInSeconds under 5", in(func(v *sagemaker.CreatePresignedDomainUrlInput) { v.ExpiresInSeconds = aws.Int32(4) }),
			"ValidationException", "1 validation error detected: Value '4' at 'expiresInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 5"},
		{"ExpiresInSeconds over 300", in(func(v *sagemaker.CreatePresignedDomainUrlInput) { v.ExpiresInSeconds = aws.Int32(301) }),
			"ValidationException", "1 validation error detected: Value '301' at 'expiresInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300"},
		{"SessionExpirationDurationInSeconds under 1800", in(func(v *sagemaker.CreatePresignedDomainUrlInput) {
			v.SessionExpirationDurationInSeconds = aws.Int32(1799)
		}),
			"ValidationException", "1 validation error detected: Value '1799' at 'sessionExpirationDurationInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 1800"},
		{"SessionExpirationDurationInSeconds over 43200", in(func(v *sagemaker.CreatePresignedDomainUrlInput) {
			v.SessionExpirationDurationInSeconds = aws.Int32(43201)
		}),
			"ValidationException", "1 validation error detected: Value '43201' at 'sessionExpirationDurationInSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"a domain that does not exist", in(func(v *sagemaker.CreatePresignedDomainUrlInput) { v.DomainId = aws.String("d-000000000000") }),
			"ResourceNotFound", "Cannot find Domain with id d-000000000000"},
		{"a user profile that does not exist", in(func(v *sagemaker.CreatePresignedDomainUrlInput) { v.UserProfileName = aws.String("Carol") }),
			"ResourceNotFound", "UserProfile [arn:aws:sagemaker:us-east-1:" + account + ":user-profile/" + s.domain + "/carol] does not exist."},
		{"a space that does not exist", in(func(v *sagemaker.CreatePresignedDomainUrlInput) { v.SpaceName = aws.String("Team") }),
			"ResourceNotFound", "Space [arn:aws:sagemaker:us-east-1:" + account + ":space/" + s.domain + "/team] does not exist."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.SM.CreatePresignedDomainUrl(ctx, tc.in)
			wantError(t, "CreatePresignedDomainUrl with "+tc.name, err, tc.code, tc.message)
		})
	}
	t.Run("bounds are allowed", func(t *testing.T) {
		for _, v := range [][2]int32{{5, 1800}, {300, 43200}} {
			if _, err := f.SM.CreatePresignedDomainUrl(ctx, in(func(in *sagemaker.CreatePresignedDomainUrlInput) {
				in.ExpiresInSeconds, in.SessionExpirationDurationInSeconds = aws.Int32(v[0]), aws.Int32(v[1])
			})); err != nil {
				t.Errorf("CreatePresignedDomainUrl(ExpiresInSeconds %d, SessionExpirationDurationInSeconds %d) = %v", v[0], v[1], err)
			}
		}
	})
	t.Run("an SSO domain", func(t *testing.T) {
		n := f.privateNetwork(t)
		out, err := f.SM.CreateDomain(ctx, &sagemaker.CreateDomainInput{
			DomainName: aws.String("sso"), AuthMode: smtypes.AuthModeSso, VpcId: aws.String(n.VPC), SubnetIds: n.Subnets,
			DefaultUserSettings: &smtypes.UserSettings{ExecutionRole: aws.String(f.executionRole(t, "sso-execution"))},
		})
		if err != nil {
			t.Fatalf("CreateDomain(SSO): %v", err)
		}
		arn := aws.ToString(out.DomainArn)
		id := arn[strings.LastIndex(arn, "/")+1:]
		if _, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(id), UserProfileName: aws.String("Dana"),
			SingleSignOnUserIdentifier: aws.String("UserName"), SingleSignOnUserValue: aws.String("dana")}); err != nil {
			t.Fatalf("CreateUserProfile(Dana): %v", err)
		}
		_, err = f.SM.CreatePresignedDomainUrl(ctx, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(id), UserProfileName: aws.String("Dana")})
		wantError(t, "CreatePresignedDomainUrl for an SSO domain", err, "ValidationException",
			"CreatePresignedDomainUrl is only supported for domains with AuthMode IAM; domain "+id+" uses AuthMode SSO.")
	})
}

func TestPresignedDomainURLIsRefused(t *testing.T) {
	f := start(t)
	s := f.presignStudio(t, "Alice")
	presign := func(t *testing.T, expires int32) string {
		return f.presign(t, f.SM, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("Alice"), ExpiresInSeconds: aws.Int32(expires)})
	}
	t.Run("when altered", func(t *testing.T) {
		u := presign(t, 300)
		i := strings.Index(u, "token=") + len("token=") + 20
		c := byte('A')
		if u[i] == 'A' {
			c = 'B'
		}
		status, body := presignOpen(t, presignBrowser(t), u[:i]+string(c)+u[i+1:])
		wantStudio(t, "an altered URL", status, body, http.StatusForbidden, "Invalid or expired auth token", "altered")
	})
	t.Run("after ExpiresInSeconds by the server's clock", func(t *testing.T) {
		u := presign(t, 5)
		f.Advance(5 * time.Second)
		status, body := presignOpen(t, presignBrowser(t), u)
		wantStudio(t, "a URL 5 seconds after it was made with ExpiresInSeconds 5", status, body, http.StatusForbidden, "Invalid or expired auth token", "expired")
	})
	t.Run("on its second use", func(t *testing.T) {
		u := presign(t, 300)
		if status, body := presignOpen(t, presignBrowser(t), u); status != http.StatusOK {
			t.Fatalf("the first use answered %d:\n%s", status, body)
		}
		status, body := presignOpen(t, presignBrowser(t), u)
		wantStudio(t, "the URL's second use", status, body, http.StatusForbidden, "Invalid or expired auth token", "already been used")
	})
}

// The defaults: a URL lasts 300 seconds, the session it opens 43200. The server's clock moves 12 hours, which the
// SDK's signatures cannot follow, so the test has its sagebox to itself.
func TestPresignedDomainURLDefaults(t *testing.T) {
	f := start(t)
	s := f.presignStudio(t, "Alice")
	in := &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("Alice")}
	early, late := f.presign(t, f.SM, in), f.presign(t, f.SM, in)
	f.Advance(299 * time.Second)
	b := presignBrowser(t)
	status, body := presignOpen(t, b, early)
	wantStudio(t, "a URL 299 seconds after it was made without ExpiresInSeconds", status, body, http.StatusOK, "Alice")
	f.Advance(time.Second)
	status, body = presignOpen(t, presignBrowser(t), late)
	wantStudio(t, "a URL 300 seconds after it was made without ExpiresInSeconds", status, body, http.StatusForbidden, "Invalid or expired auth token", "expired")
	f.Advance(43198 * time.Second)
	status, body = presignOpen(t, b, f.URL+"/_sagebox/studio/")
	wantStudio(t, "the session 43199 seconds after it opened", status, body, http.StatusOK, "Alice")
	f.Advance(time.Second)
	status, body = presignOpen(t, b, f.URL+"/_sagebox/studio/")
	wantStudio(t, "the session 43200 seconds after it opened", status, body, http.StatusForbidden, "Invalid or expired auth token", "Studio session expired")
}

// The page is reached without SigV4 wherever sagebox listens: its token is its credential. The admin API beyond
// loopback answers unsigned requests with a JSON refusal; the Studio page must not.
func TestStudioPageBeyondLoopback(t *testing.T) {
	f := start(t)
	s := f.presignStudio(t, "Alice")
	beyond := httptest.NewServer(f.App.Handler(false))
	defer beyond.Close()
	u := f.presign(t, f.SM, &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(s.domain), UserProfileName: aws.String("Alice")})
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := url.Parse(beyond.URL)
	parsed.Host = b.Host
	status, body := presignOpen(t, presignBrowser(t), parsed.String())
	wantStudio(t, fmt.Sprintf("the URL served as beyond loopback (%s)", parsed), status, body, http.StatusOK, "Alice", s.role)
	resp, err := http.Get(beyond.URL + "/_sagebox/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("the unsigned admin API beyond loopback answered %d, want 403: the Studio page must not open it", resp.StatusCode)
	}
}
