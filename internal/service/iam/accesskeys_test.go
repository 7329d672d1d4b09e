package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// callerARN asks STS who the client is, failing the test when STS refuses.
func callerARN(t *testing.T, client *sts.Client) (arn, userID string) {
	t.Helper()
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return aws.ToString(out.Arn), aws.ToString(out.UserId)
}

// wantRefused fails the test unless the key no longer authenticates.
func wantRefused(t *testing.T, what string, client *sts.Client) {
	t.Helper()
	_, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantError(t, what, err, "InvalidClientTokenId", "The security token included in the request is invalid.", 403)
}

func TestAccessKeyAuthenticates(t *testing.T) {
	f := start(t)
	u := createUser(t, f, "frank")
	k := createKey(t, f, "frank")
	_, asFrank := clientsOf(f, k)

	t.Run("CreateAccessKey answers an AKIA id, a 40-character secret and Active", func(t *testing.T) {
		id := aws.ToString(k.AccessKeyId)
		if !strings.HasPrefix(id, "AKIA") || len(id) != 20 {
			t.Errorf("AccessKeyId = %q, want AKIA and 16 more characters", id)
		}
		if len(aws.ToString(k.SecretAccessKey)) != 40 {
			t.Errorf("SecretAccessKey has %d characters, want 40", len(aws.ToString(k.SecretAccessKey)))
		}
		if k.Status != types.StatusTypeActive || aws.ToString(k.UserName) != "frank" || k.CreateDate == nil {
			t.Errorf("AccessKey = %s %s %v, want Active, frank and a date", k.Status, aws.ToString(k.UserName), k.CreateDate)
		}
	})

	t.Run("a request signed with the key is the user", func(t *testing.T) {
		arn, userID := callerARN(t, asFrank)
		if arn != aws.ToString(u.Arn) || userID != aws.ToString(u.UserId) {
			t.Errorf("GetCallerIdentity = %s %s, want %s %s", arn, userID, aws.ToString(u.Arn), aws.ToString(u.UserId))
		}
	})

	t.Run("an Inactive key is refused, and works again when Active", func(t *testing.T) {
		update := func(status types.StatusType) {
			t.Helper()
			if _, err := f.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("frank"), AccessKeyId: k.AccessKeyId, Status: status}); err != nil {
				t.Fatalf("UpdateAccessKey(%s): %v", status, err)
			}
		}
		update(types.StatusTypeInactive)
		wantRefused(t, "GetCallerIdentity with the Inactive key", asFrank)
		list, err := f.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("frank")})
		if err != nil {
			t.Fatalf("ListAccessKeys: %v", err)
		}
		if len(list.AccessKeyMetadata) != 1 || list.AccessKeyMetadata[0].Status != types.StatusTypeInactive {
			t.Errorf("ListAccessKeys = %+v, want the key Inactive", list.AccessKeyMetadata)
		}
		update(types.StatusTypeActive)
		callerARN(t, asFrank)
	})

	t.Run("after a rename the key signs as the new ARN", func(t *testing.T) {
		if _, err := f.IAM.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("frank"), NewUserName: aws.String("francis"), NewPath: aws.String("/ops/")}); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		arn, userID := callerARN(t, asFrank)
		if want := "arn:aws:iam::" + testAccount + ":user/ops/francis"; arn != want || userID != aws.ToString(u.UserId) {
			t.Errorf("GetCallerIdentity = %s %s, want %s %s", arn, userID, want, aws.ToString(u.UserId))
		}
	})

	t.Run("after DeleteAccessKey and DeleteUser the key is refused", func(t *testing.T) {
		if _, err := f.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("francis"), AccessKeyId: k.AccessKeyId}); err != nil {
			t.Fatalf("DeleteAccessKey: %v", err)
		}
		if _, err := f.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("francis")}); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		wantRefused(t, "GetCallerIdentity with the deleted key", asFrank)
	})
}

func TestAccessKeyQuota(t *testing.T) {
	f := start(t)
	createUser(t, f, "gina")
	createKey(t, f, "gina")
	createKey(t, f, "gina")
	_, err := f.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("gina")})
	wantError(t, "a third CreateAccessKey", err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)

	t.Run("ListAccessKeys pages the two keys one at a time", func(t *testing.T) {
		first, err := f.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("gina"), MaxItems: aws.Int32(1)})
		if err != nil {
			t.Fatalf("ListAccessKeys: %v", err)
		}
		if len(first.AccessKeyMetadata) != 1 || !first.IsTruncated || first.Marker == nil {
			t.Fatalf("the first page = %d keys, truncated %t; want 1 key and a Marker", len(first.AccessKeyMetadata), first.IsTruncated)
		}
		second, err := f.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("gina"), MaxItems: aws.Int32(1), Marker: first.Marker})
		if err != nil {
			t.Fatalf("ListAccessKeys: %v", err)
		}
		if len(second.AccessKeyMetadata) != 1 || second.IsTruncated {
			t.Fatalf("the second page = %d keys, truncated %t; want the last key", len(second.AccessKeyMetadata), second.IsTruncated)
		}
		a, b := aws.ToString(first.AccessKeyMetadata[0].AccessKeyId), aws.ToString(second.AccessKeyMetadata[0].AccessKeyId)
		if a == b {
			t.Errorf("both pages answer the key %s", a)
		}
		if aws.ToString(second.AccessKeyMetadata[0].UserName) != "gina" || second.AccessKeyMetadata[0].CreateDate == nil {
			t.Errorf("the key's metadata = %+v, want gina and a date", second.AccessKeyMetadata[0])
		}
	})
}

func TestAccessKeyErrors(t *testing.T) {
	f := start(t)
	createUser(t, f, "hank")
	createUser(t, f, "ivy")
	ivys := createKey(t, f, "ivy")
	const unknown = "AKIAAAAAAAAAAAAAAAAA"
	cases := []struct {
		name            string
		call            func() error
		code, message   string
		status          int
		keyStillWorking bool
	}{
		{"UpdateAccessKey of an unknown key", func() error {
			_, err := f.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("hank"), AccessKeyId: aws.String(unknown), Status: types.StatusTypeInactive})
			return err
		}, "NoSuchEntity", "The Access Key with id " + unknown + " cannot be found.", 404, true},
		{"DeleteAccessKey of an unknown key", func() error {
			_, err := f.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("hank"), AccessKeyId: aws.String(unknown)})
			return err
		}, "NoSuchEntity", "The Access Key with id " + unknown + " cannot be found.", 404, true},
		{"UpdateAccessKey of another user's key", func() error {
			_, err := f.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("hank"), AccessKeyId: ivys.AccessKeyId, Status: types.StatusTypeInactive})
			return err
		}, "NoSuchEntity", "The Access Key with id " + aws.ToString(ivys.AccessKeyId) + " cannot be found.", 404, true},
		{"DeleteAccessKey of another user's key", func() error {
			_, err := f.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("hank"), AccessKeyId: ivys.AccessKeyId})
			return err
		}, "NoSuchEntity", "The Access Key with id " + aws.ToString(ivys.AccessKeyId) + " cannot be found.", 404, true},
		{"UpdateAccessKey to Expired", func() error {
			_, err := f.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ivy"), AccessKeyId: ivys.AccessKeyId, Status: types.StatusTypeExpired})
			return err
		}, "ValidationError", "1 validation error detected: Value 'Expired' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", 400, true},
		{"CreateAccessKey for an unknown user", func() error {
			_, err := f.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
			return err
		}, "NoSuchEntity", "The user with name nobody cannot be found.", 404, true},
		{"ListAccessKeys of an unknown user", func() error {
			_, err := f.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("nobody")})
			return err
		}, "NoSuchEntity", "The user with name nobody cannot be found.", 404, true},
		{"GetAccessKeyLastUsed of an unknown key", func() error {
			_, err := f.IAM.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(unknown)})
			return err
		}, "NoSuchEntity", "The Access Key with id " + unknown + " cannot be found.", 404, true},
	}
	_, asIvy := clientsOf(f, ivys)
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			wantError(t, c.name, c.call(), c.code, c.message, c.status)
			callerARN(t, asIvy)
		})
	}
}

func TestAccessKeyLastUsed(t *testing.T) {
	f := start(t)
	createUser(t, f, "jack")
	k := createKey(t, f, "jack")
	out, err := f.IAM.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
	if err != nil {
		t.Fatalf("GetAccessKeyLastUsed: %v", err)
	}
	used := out.AccessKeyLastUsed
	if aws.ToString(out.UserName) != "jack" || used == nil || used.LastUsedDate != nil ||
		aws.ToString(used.ServiceName) != "N/A" || aws.ToString(used.Region) != "N/A" {
		t.Errorf("GetAccessKeyLastUsed = %s %+v, want jack, no date, N/A and N/A", aws.ToString(out.UserName), used)
	}
}

func TestAccessKeyRootCaller(t *testing.T) {
	// A root key of AWS's length: the model refuses "test" as an AccessKeyId parameter.
	const rootKey = "AKIAROOTKEY234567ABC"
	cfg := restartConfig("")
	cfg.Memory = true
	cfg.RootAccessKey, cfg.RootSecretKey = rootKey, "root-secret"
	f := startWith(t, cfg)
	f.IAM = iam.NewFromConfig(f.Config(rootKey, "root-secret", ""))
	f.STS = sts.NewFromConfig(f.Config(rootKey, "root-secret", ""))

	t.Run("ListAccessKeys without a name lists the root user's key", func(t *testing.T) {
		out, err := f.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
		if err != nil {
			t.Fatalf("ListAccessKeys: %v", err)
		}
		if len(out.AccessKeyMetadata) != 1 {
			t.Fatalf("ListAccessKeys = %d keys, want the root key", len(out.AccessKeyMetadata))
		}
		m := out.AccessKeyMetadata[0]
		if aws.ToString(m.AccessKeyId) != rootKey || m.Status != types.StatusTypeActive || m.UserName != nil || m.CreateDate == nil {
			t.Errorf("the root key = %s %s user %v date %v, want %s, Active, no user and a date", aws.ToString(m.AccessKeyId), m.Status, m.UserName, m.CreateDate, rootKey)
		}
	})

	t.Run("the root user's key is not changed through IAM", func(t *testing.T) {
		_, err := f.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
		wantError(t, "CreateAccessKey as root", err, "NotImplemented", "", 501)
		_, err = f.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(rootKey), Status: types.StatusTypeInactive})
		wantError(t, "UpdateAccessKey(root's key) as root", err, "NotImplemented", "", 501)
		_, err = f.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(rootKey)})
		wantError(t, "DeleteAccessKey(root's key) as root", err, "NotImplemented", "", 501)
		callerARN(t, f.STS)
	})

	t.Run("a key that is not root's is NoSuchEntity", func(t *testing.T) {
		createUser(t, f, "kim")
		k := createKey(t, f, "kim")
		_, err := f.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: k.AccessKeyId})
		wantError(t, "DeleteAccessKey(kim's key) as root without a name", err, "NoSuchEntity", "The Access Key with id "+aws.ToString(k.AccessKeyId)+" cannot be found.", 404)
	})
}

func TestAccessKeyUserCaller(t *testing.T) {
	f := start(t)
	createUser(t, f, "lee")
	k := createKey(t, f, "lee")
	asLee, _ := clientsOf(f, k)
	// No policy lets lee manage her keys yet: each denial names the resource she asked about, which is herself.
	lee := "arn:aws:iam::" + testAccount + ":user/lee"
	for _, c := range []struct {
		action string
		call   func() error
	}{
		{"ListAccessKeys", func() error { _, err := asLee.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}); return err }},
		{"CreateAccessKey", func() error { _, err := asLee.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}); return err }},
		{"UpdateAccessKey", func() error {
			_, err := asLee.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: k.AccessKeyId, Status: types.StatusTypeInactive})
			return err
		}},
		{"DeleteAccessKey", func() error {
			_, err := asLee.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: k.AccessKeyId})
			return err
		}},
	} {
		t.Run(c.action+" without a name acts on the calling user", func(t *testing.T) {
			wantError(t, c.action+" as lee", c.call(), "AccessDenied",
				"User: "+lee+" is not authorized to perform: iam:"+c.action+" on resource: "+lee+" because no identity-based policy allows the iam:"+c.action+" action", 403)
		})
	}
}

func TestAccessKeyRestart(t *testing.T) {
	dir := t.TempDir()
	var key *types.AccessKey
	t.Run("a user and a key are made", func(t *testing.T) {
		f := startWith(t, restartConfig(dir))
		createUser(t, f, "mona")
		key = createKey(t, f, "mona")
	})
	if key == nil {
		t.FailNow()
	}
	f := startWith(t, restartConfig(dir))

	t.Run("after a restart the key still authenticates", func(t *testing.T) {
		_, client := clientsOf(f, key)
		arn, _ := callerARN(t, client)
		if want := "arn:aws:iam::" + testAccount + ":user/mona"; arn != want {
			t.Errorf("GetCallerIdentity = %s, want %s", arn, want)
		}
	})

	t.Run("after a restart the user is listed", func(t *testing.T) {
		out, err := f.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		if got := strings.Join(userNames(out.Users), ","); got != "mona" {
			t.Errorf("ListUsers = %s, want mona", got)
		}
	})
}
