package authz_test

// Through the front door: a whole sagebox (app.New) on a loopback port, IAM users made with the IAM API and given
// inline policies, boundaries and SCPs, calling IAM and STS with their own access keys through aws-sdk-go-v2. The
// identity policies come from IAM's own view of its principals.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/apptest"
	"github.com/sagebox/sagebox/internal/authz"
)

var bg = context.Background()

type box struct {
	*app.App
	url  string
	root *iam.Client
}

func startBox(t *testing.T, mode authz.Mode) *box {
	t.Helper()
	cfg := apptest.Config()
	cfg.AuthzMode = mode
	a, url, _ := apptest.Serve(t, cfg)
	b := &box{App: a, url: url}
	b.root = iam.NewFromConfig(b.config("test", "test"))
	return b
}

func (b *box) config(key, secret string) aws.Config {
	return apptest.SDK(b.url, key, secret, "")
}

// user creates an IAM user with inline policies and returns IAM and STS clients signed with its own access key.
func (b *box) user(t *testing.T, name string, inline ...string) (*iam.Client, *sts.Client) {
	t.Helper()
	if _, err := b.root.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	for i, doc := range inline {
		if _, err := b.root.PutUserPolicy(bg, &iam.PutUserPolicyInput{
			UserName: aws.String(name), PolicyName: aws.String("p" + string(rune('0'+i))), PolicyDocument: aws.String(doc),
		}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := b.root.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey))
	return iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
}

// admin sends a request to the admin API and decodes its JSON answer.
func (b *box) admin(t *testing.T, method, path string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		raw, _ := json.Marshal(in)
		body = strings.NewReader(string(raw))
	}
	req, err := http.NewRequest(method, b.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s = %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}

// denied checks that err is AccessDenied with the text, and returns the request id.
func denied(t *testing.T, what string, err error, text string) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s = %v, want AccessDenied", what, err)
	}
	if ae.ErrorCode() != "AccessDenied" || ae.ErrorMessage() != text {
		t.Errorf("%s = %s %q\nwant AccessDenied %q", what, ae.ErrorCode(), ae.ErrorMessage(), text)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("%s: no request id in %v", what, err)
	}
	return re.ServiceRequestID()
}

const (
	allowIAM   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`
	denyGet    = `{"Version":"2012-10-17","Statement":{"Sid":"NoGetUser","Effect":"Deny","Action":"iam:GetUser","Resource":"*"}}`
	denyAll    = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`
	allowAll   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	onlyListUs = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}`
	userARN    = "arn:aws:iam::000000000000:user/"
)

func getUser(c *iam.Client, name string) error {
	_, err := c.GetUser(bg, &iam.GetUserInput{UserName: aws.String(name)})
	return err
}

func notAuthorized(user, action, resource, why string) string {
	return "User: " + userARN + user + " is not authorized to perform: " + action + " on resource: " + resource + " " + why
}

func TestFrontDoorLayers(t *testing.T) {
	b := startBox(t, authz.Enforce)

	t.Run("a user without policies", func(t *testing.T) {
		c, _ := b.user(t, "nopolicy")
		id := denied(t, "GetUser", getUser(c, "nopolicy"), notAuthorized("nopolicy", "iam:GetUser", userARN+"nopolicy",
			"because no identity-based policy allows the iam:GetUser action"))
		recs, err := b.Authorizer().Decision(bg, id)
		if err != nil || len(recs) != 1 || recs[0].Layer != "identity-based policy" || recs[0].Explanation == nil {
			t.Errorf("the decision log has %+v, %v for request %s; want the explained denial", recs, err, id)
		}
	})

	t.Run("an inline policy allows", func(t *testing.T) {
		c, _ := b.user(t, "admin", allowIAM)
		if err := getUser(c, "admin"); err != nil {
			t.Errorf("GetUser allowed by an inline policy: %v", err)
		}
	})

	t.Run("an explicit deny", func(t *testing.T) {
		c, _ := b.user(t, "denied", allowIAM, denyGet)
		id := denied(t, "GetUser", getUser(c, "denied"), notAuthorized("denied", "iam:GetUser", userARN+"denied",
			"with an explicit deny in an identity-based policy"))
		recs, err := b.Authorizer().Decision(bg, id)
		if err != nil || len(recs) != 1 {
			t.Fatalf("Decision(%s) = %v, %v", id, recs, err)
		}
		var sids []string
		for _, m := range recs[0].Explanation.Matches {
			sids = append(sids, m.Effect+" "+m.PolicyID+" "+m.Sid)
		}
		if got := strings.Join(sids, "; "); !strings.Contains(got, "Deny") || !strings.Contains(got, "NoGetUser") {
			t.Errorf("the explanation's matched statements are %q, want the NoGetUser deny", got)
		}
	})

	t.Run("GetCallerIdentity needs no permission, even under a deny of everything", func(t *testing.T) {
		_, s := b.user(t, "nothing", denyAll)
		out, err := s.GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
		if err != nil || aws.ToString(out.Arn) != userARN+"nothing" {
			t.Errorf("GetCallerIdentity = %v, %v; want the user's identity", out, err)
		}
	})

	t.Run("a permissions boundary", func(t *testing.T) {
		c, _ := b.user(t, "bounded", allowIAM)
		p, err := b.root.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("only-list-users"), PolicyDocument: aws.String(onlyListUs)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.root.PutUserPermissionsBoundary(bg, &iam.PutUserPermissionsBoundaryInput{
			UserName: aws.String("bounded"), PermissionsBoundary: p.Policy.Arn,
		}); err != nil {
			t.Fatal(err)
		}
		denied(t, "GetUser", getUser(c, "bounded"), notAuthorized("bounded", "iam:GetUser", userARN+"bounded",
			"because no permissions boundary allows the iam:GetUser action"))
		if _, err := c.ListUsers(bg, &iam.ListUsersInput{}); err != nil {
			t.Errorf("ListUsers, which the boundary and the inline policy allow: %v", err)
		}
	})

	t.Run("service control policies", func(t *testing.T) {
		c, _ := b.user(t, "scoped", allowIAM)
		b.admin(t, http.MethodPost, "/_sagebox/scps", map[string]string{"name": "OnlyS3",
			"document": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`}, nil)
		denied(t, "GetUser under an SCP that allows only S3", getUser(c, "scoped"), notAuthorized("scoped", "iam:GetUser",
			userARN+"scoped", "because no service control policy allows the iam:GetUser action"))
		b.admin(t, http.MethodDelete, "/_sagebox/scps/OnlyS3", nil, nil)

		b.admin(t, http.MethodPost, "/_sagebox/scps", map[string]string{"name": "FullAWSAccess", "document": allowAll}, nil)
		b.admin(t, http.MethodPost, "/_sagebox/scps", map[string]string{"name": "NoGetUser", "document": denyGet}, nil)
		// SCPs limit the account's root user too.
		err := getUser(b.root, "scoped")
		denied(t, "GetUser by root under an SCP that denies it", err, "User: arn:aws:iam::000000000000:root is not authorized to perform: "+
			"iam:GetUser on resource: "+userARN+"scoped with an explicit deny in a service control policy")
		b.admin(t, http.MethodDelete, "/_sagebox/scps/NoGetUser", nil, nil)
		if err := getUser(c, "scoped"); err != nil {
			t.Errorf("GetUser once the SCPs allow it again: %v", err)
		}
		b.admin(t, http.MethodDelete, "/_sagebox/scps/FullAWSAccess", nil, nil)
	})

	t.Run("the decision log lists the denials", func(t *testing.T) {
		var page authz.DecisionPage
		b.admin(t, http.MethodGet, "/_sagebox/decisions?denied=true&limit=50", nil, &page)
		var got []string
		for _, d := range page.Decisions {
			got = append(got, d.Principal.ARN+" "+d.Outcome+" "+d.Layer)
		}
		for _, want := range []string{
			userARN + "nopolicy implicitDeny identity-based policy",
			userARN + "denied explicitDeny identity-based policy",
			userARN + "bounded implicitDeny permissions boundary",
			userARN + "scoped implicitDeny service control policy",
			"arn:aws:iam::000000000000:root explicitDeny service control policy",
		} {
			if !strings.Contains(strings.Join(got, "\n"), want) {
				t.Errorf("the denials logged are\n%s\nwant one of %s", strings.Join(got, "\n"), want)
			}
		}
	})
}

func TestFrontDoorAuditMode(t *testing.T) {
	b := startBox(t, authz.Audit)
	c, _ := b.user(t, "auditee")
	if err := getUser(c, "auditee"); err != nil {
		t.Fatalf("GetUser without policies in audit mode: %v, want it let through", err)
	}
	var page authz.DecisionPage
	b.admin(t, http.MethodGet, "/_sagebox/decisions?denied=true", nil, &page)
	if len(page.Decisions) != 1 {
		t.Fatalf("the log has %d denials, want the one let through", len(page.Decisions))
	}
	d := page.Decisions[0]
	if d.Mode != authz.Audit || d.Action != "iam:GetUser" || d.Outcome != "implicitDeny" ||
		!strings.Contains(d.Reason, "because no identity-based policy allows the iam:GetUser action") {
		t.Errorf("the logged denial is %+v, want iam:GetUser denied by the identity layer, in audit mode", d)
	}
}
