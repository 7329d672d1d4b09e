package sagemaker_test

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagebox/sagebox/internal/app"
)

// privateSpace is the input of a private space owned by a profile, for JupyterLab.
func privateSpace(domainID, name, owner string) *sagemaker.CreateSpaceInput {
	return &sagemaker.CreateSpaceInput{
		DomainId: aws.String(domainID), SpaceName: aws.String(name),
		OwnershipSettings:    &smtypes.OwnershipSettings{OwnerUserProfileName: aws.String(owner)},
		SpaceSharingSettings: &smtypes.SpaceSharingSettings{SharingType: smtypes.SharingTypePrivate},
		SpaceSettings:        &smtypes.SpaceSettings{AppType: smtypes.AppTypeJupyterLab},
	}
}

// withVolume sets a space input's EBS volume size.
func withVolume(in *sagemaker.CreateSpaceInput, gb int32) *sagemaker.CreateSpaceInput {
	in.SpaceSettings.SpaceStorageSettings = &smtypes.SpaceStorageSettings{EbsStorageSettings: &smtypes.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(gb)}}
	return in
}

func TestSpaceLifecycleThroughTheAPI(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	createProfile(t, f, st.ID, "alice", nil)
	in := withVolume(privateSpace(st.ID, "Alice-Lab", "ALICE"), 50)
	in.SpaceDisplayName = aws.String("Alice's lab")
	in.Tags = []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("ml")}}
	out, err := f.SM.CreateSpace(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:sagemaker:us-east-1:" + account + ":space/" + st.ID + "/alice-lab"
	if got := aws.ToString(out.SpaceArn); got != arn {
		t.Errorf("CreateSpace(Alice-Lab) = %s, want %s", got, arn)
	}
	describe := func(name string) (*sagemaker.DescribeSpaceOutput, error) {
		return f.SM.DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String(name)})
	}

	t.Run("describe", func(t *testing.T) {
		d, err := describe("alice-lab")
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%s %s %s %s %s %s %s %s", aws.ToString(d.DomainId), aws.ToString(d.SpaceArn), aws.ToString(d.SpaceName), aws.ToString(d.HomeEfsFileSystemUid),
			d.Status, aws.ToString(d.OwnershipSettings.OwnerUserProfileName), d.SpaceSharingSettings.SharingType, aws.ToString(d.SpaceDisplayName))
		want := fmt.Sprintf("%s %s Alice-Lab 200002 InService alice Private Alice's lab", st.ID, arn)
		if got != want {
			t.Errorf("DescribeSpace(alice-lab) = %s, want %s", got, want)
		}
		if d.SpaceSettings == nil || d.SpaceSettings.AppType != smtypes.AppTypeJupyterLab || aws.ToInt32(d.SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb) != 50 {
			t.Errorf("DescribeSpace(alice-lab) lost its settings: %+v", d.SpaceSettings)
		}
		u := aws.ToString(d.Url)
		if !strings.HasPrefix(u, "https://") || !strings.HasSuffix(u, ".studio.us-east-1.sagemaker.aws") {
			t.Errorf("DescribeSpace(alice-lab).Url = %q, want https://….studio.us-east-1.sagemaker.aws", u)
		}
		if d.CreationTime == nil || d.LastModifiedTime == nil {
			t.Errorf("DescribeSpace(alice-lab) has CreationTime %v and LastModifiedTime %v, want both", d.CreationTime, d.LastModifiedTime)
		}
	})

	t.Run("a shared space has no owner", func(t *testing.T) {
		if _, err := f.SM.CreateSpace(ctx, &sagemaker.CreateSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("team")}); err != nil {
			t.Fatal(err)
		}
		d, err := describe("team")
		if err != nil {
			t.Fatal(err)
		}
		if d.OwnershipSettings != nil || d.SpaceSharingSettings != nil || aws.ToString(d.HomeEfsFileSystemUid) != "200003" {
			t.Errorf("DescribeSpace(team) = owner %+v, sharing %+v, uid %s; want neither and uid 200003", d.OwnershipSettings, d.SpaceSharingSettings, aws.ToString(d.HomeEfsFileSystemUid))
		}
	})

	t.Run("update changes what it names", func(t *testing.T) {
		_, err := f.SM.UpdateSpace(ctx, &sagemaker.UpdateSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("alice-lab"), SpaceDisplayName: aws.String("Lab"),
			SpaceSettings: &smtypes.SpaceSettings{SpaceStorageSettings: &smtypes.SpaceStorageSettings{EbsStorageSettings: &smtypes.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(80)}}}})
		if err != nil {
			t.Fatal(err)
		}
		d, err := describe("alice-lab")
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.SpaceDisplayName) != "Lab" || d.SpaceSettings.AppType != smtypes.AppTypeJupyterLab || aws.ToInt32(d.SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb) != 80 {
			t.Errorf("after UpdateSpace, DescribeSpace = %q, %s, %d GB; want Lab, JupyterLab, 80 GB", aws.ToString(d.SpaceDisplayName), d.SpaceSettings.AppType,
				aws.ToInt32(d.SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb))
		}
	})

	t.Run("the app type cannot change", func(t *testing.T) {
		_, err := f.SM.UpdateSpace(ctx, &sagemaker.UpdateSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("alice-lab"),
			SpaceSettings: &smtypes.SpaceSettings{AppType: smtypes.AppTypeCodeEditor}})
		wantError(t, "UpdateSpace(AppType CodeEditor)", err, "ValidationException", "The AppType of a space cannot be changed: space Alice-Lab is a JupyterLab space.")
	})

	t.Run("delete", func(t *testing.T) {
		if _, err := f.SM.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("ALICE-LAB")}); err != nil {
			t.Fatal(err)
		}
		_, err := describe("alice-lab")
		wantError(t, "DescribeSpace(alice-lab) after its deletion", err, "ResourceNotFound", "Space ["+arn+"] does not exist.")
		_, err = f.SM.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("alice-lab")})
		wantError(t, "DeleteSpace(alice-lab) twice", err, "ResourceNotFound", "Space ["+arn+"] does not exist.")
		_, err = f.SM.UpdateSpace(ctx, &sagemaker.UpdateSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("alice-lab")})
		wantError(t, "UpdateSpace(alice-lab) after its deletion", err, "ResourceNotFound", "Space ["+arn+"] does not exist.")
	})
}

func TestCreateSpaceRefusals(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	createProfile(t, f, st.ID, "alice", nil)
	createProfile(t, f, st.ID, "small", &smtypes.UserSettings{SpaceStorageSettings: &smtypes.DefaultSpaceStorageSettings{
		DefaultEbsStorageSettings: &smtypes.DefaultEbsStorageSettings{DefaultEbsVolumeSizeInGb: aws.Int32(5), MaximumEbsVolumeSizeInGb: aws.Int32(20)}}})
	if _, err := f.SM.CreateSpace(ctx, privateSpace(st.ID, "taken", "alice")); err != nil {
		t.Fatal(err)
	}
	noSharing := privateSpace(st.ID, "s", "alice")
	noSharing.SpaceSharingSettings = nil
	noOwner := privateSpace(st.ID, "s", "alice")
	noOwner.OwnershipSettings = nil
	cases := []struct {
		name    string
		in      *sagemaker.CreateSpaceInput
		code    string
		message string
	}{
		{"the domain does not exist", privateSpace("d-000000000000", "s", "alice"), "ResourceNotFound", "Cannot find Domain with id d-000000000000"},
		{"the name is taken", privateSpace(st.ID, "TAKEN", "alice"), "ResourceInUse", "Resource Already Exists: Space with name [TAKEN] already exists. Choose a different name."},
		{"the owner does not exist", privateSpace(st.ID, "s", "nobody"), "ResourceNotFound",
			"UserProfile [arn:aws:sagemaker:us-east-1:" + account + ":user-profile/" + st.ID + "/nobody] does not exist."},
		{"ownership without sharing settings", noSharing, "ValidationException", "OwnershipSettings and SpaceSharingSettings must be specified together."},
		{"sharing settings without an owner", noOwner, "ValidationException", "OwnershipSettings and SpaceSharingSettings must be specified together."},
		{"a volume over the domain's maximum", withVolume(privateSpace(st.ID, "s", "alice"), 101), "ValidationException",
			"EbsVolumeSizeInGb 101 exceeds the maximum EBS volume size of 100 GB allowed for spaces in the domain."},
		{"a volume over the owner's maximum", withVolume(privateSpace(st.ID, "s", "small"), 21), "ValidationException",
			"EbsVolumeSizeInGb 21 exceeds the maximum EBS volume size of 20 GB allowed for spaces in the domain."},
		{"a volume under the model's minimum", withVolume(privateSpace(st.ID, "s", "alice"), 4), "ValidationException",
			"1 validation error detected: Value '4' at 'spaceSettings.spaceStorageSettings.ebsStorageSettings.ebsVolumeSizeInGb' failed to satisfy constraint: Member must have value greater than or equal to 5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.SM.CreateSpace(ctx, tc.in)
			wantError(t, "CreateSpace", err, tc.code, tc.message)
		})
	}
	t.Run("a volume at the owner's maximum is made", func(t *testing.T) {
		if _, err := f.SM.CreateSpace(ctx, withVolume(privateSpace(st.ID, "small-space", "small"), 20)); err != nil {
			t.Errorf("CreateSpace with 20 GB for an owner allowed 20 GB: %v", err)
		}
	})
}

func TestDeleteSpaceRefusedWhileAppsRun(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	createProfile(t, f, st.ID, "alice", nil)
	out, err := f.SM.CreateSpace(ctx, privateSpace(st.ID, "lab", "alice"))
	if err != nil {
		t.Fatal(err)
	}
	appIn := &sagemaker.CreateAppInput{DomainId: aws.String(st.ID), SpaceName: aws.String("lab"), AppType: smtypes.AppTypeJupyterLab, AppName: aws.String("default")}
	if _, err := f.SM.CreateApp(ctx, appIn); err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	del := func() error {
		_, err := f.SM.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("lab")})
		return err
	}
	wantError(t, "DeleteSpace with a running app", del(), "ResourceInUse", "Unable to delete Space ["+aws.ToString(out.SpaceArn)+"] because App(s) are associated with it.")
	if _, err := f.SM.DeleteApp(ctx, &sagemaker.DeleteAppInput{DomainId: aws.String(st.ID), SpaceName: aws.String("lab"), AppType: smtypes.AppTypeJupyterLab, AppName: aws.String("default")}); err != nil {
		t.Fatalf("DeleteApp: %v", err)
	}
	if err := del(); err != nil {
		t.Errorf("DeleteSpace once its app is deleted: %v", err)
	}
}

func TestListSpaces(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	createProfile(t, f, st.ID, "alice", nil)
	var names []string
	for i := range 7 {
		name := fmt.Sprintf("lab-%d", i)
		in := privateSpace(st.ID, name, "alice")
		if i%2 == 1 {
			name = fmt.Sprintf("shared-%d", i)
			in = &sagemaker.CreateSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String(name), SpaceDisplayName: aws.String("Shared")}
		}
		in.SpaceName = aws.String(name)
		if _, err := f.SM.CreateSpace(ctx, in); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
		f.Advance(time.Second)
	}
	all := func(in sagemaker.ListSpacesInput) []smtypes.SpaceDetails {
		t.Helper()
		var got []smtypes.SpaceDetails
		p := sagemaker.NewListSpacesPaginator(f.SM, &in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, out.Spaces...)
		}
		return got
	}
	namesOf := func(ds []smtypes.SpaceDetails) []string {
		var out []string
		for _, d := range ds {
			out = append(out, aws.ToString(d.SpaceName))
		}
		return out
	}
	t.Run("pages of 3, oldest first", func(t *testing.T) {
		got := namesOf(all(sagemaker.ListSpacesInput{MaxResults: aws.Int32(3), SortBy: smtypes.SpaceSortKeyCreationTime, SortOrder: smtypes.SortOrderAscending}))
		if !slices.Equal(got, names) {
			t.Errorf("ListSpaces(CreationTime, Ascending, pages of 3) = %v, want %v", got, names)
		}
	})
	t.Run("newest first without a sort", func(t *testing.T) {
		want := slices.Clone(names)
		slices.Reverse(want)
		if got := namesOf(all(sagemaker.ListSpacesInput{DomainIdEquals: aws.String(st.ID)})); !slices.Equal(got, want) {
			t.Errorf("ListSpaces() = %v, want %v", got, want)
		}
	})
	t.Run("name contains", func(t *testing.T) {
		got := namesOf(all(sagemaker.ListSpacesInput{SpaceNameContains: aws.String("SHARED"), SortOrder: smtypes.SortOrderAscending}))
		if want := []string{"shared-1", "shared-3", "shared-5"}; !slices.Equal(got, want) {
			t.Errorf("ListSpaces(SpaceNameContains SHARED) = %v, want %v", got, want)
		}
	})
	t.Run("summaries", func(t *testing.T) {
		for _, d := range all(sagemaker.ListSpacesInput{}) {
			name := aws.ToString(d.SpaceName)
			private := strings.HasPrefix(name, "lab-")
			var got string
			if private {
				got = fmt.Sprintf("%s %s %s", d.SpaceSettingsSummary.AppType, d.SpaceSharingSettingsSummary.SharingType, aws.ToString(d.OwnershipSettingsSummary.OwnerUserProfileName))
				if want := "JupyterLab Private alice"; got != want {
					t.Errorf("ListSpaces gives %s as %s, want %s", name, got, want)
				}
			} else if d.OwnershipSettingsSummary != nil || aws.ToString(d.SpaceDisplayName) != "Shared" {
				t.Errorf("ListSpaces gives %s with owner %+v and display name %q, want none and Shared", name, d.OwnershipSettingsSummary, aws.ToString(d.SpaceDisplayName))
			}
			if d.Status != smtypes.SpaceStatusInService || d.CreationTime == nil {
				t.Errorf("ListSpaces gives %s as %s created %v", name, d.Status, d.CreationTime)
			}
		}
	})
}

func TestSpaceAuthorization(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	createProfile(t, f, st.ID, "alice", nil)
	createProfile(t, f, st.ID, "bob", nil)
	if _, err := f.SM.CreateSpace(ctx, privateSpace(st.ID, "bob-lab", "bob")); err != nil {
		t.Fatal(err)
	}
	// Private spaces only, and only one's own: the conditions AWS's Studio policies put on spaces, with the owner
	// named by the IAM user's name.
	policy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["sagemaker:CreateSpace","sagemaker:UpdateSpace","sagemaker:DeleteSpace"],"Resource":"arn:aws:sagemaker:*:*:space/*",
		 "Condition":{"ArnLike":{"sagemaker:OwnerUserProfileArn":"arn:aws:sagemaker:*:*:user-profile/*/${aws:username}"},"StringEquals":{"sagemaker:SpaceSharingType":"Private"}}},
		{"Effect":"Allow","Action":"sagemaker:DescribeSpace","Resource":"*"}]}`
	alice := f.user(t, "alice", policy)
	denied := func(action, name string) string {
		return "User: arn:aws:iam::" + account + ":user/alice is not authorized to perform: sagemaker:" + action + " on resource: arn:aws:sagemaker:us-east-1:" + account +
			":space/" + st.ID + "/" + name + " because no identity-based policy allows the sagemaker:" + action + " action"
	}
	t.Run("a user makes a private space of their own", func(t *testing.T) {
		if _, err := alice.SM.CreateSpace(ctx, privateSpace(st.ID, "alice-lab", "alice")); err != nil {
			t.Errorf("alice's CreateSpace(alice-lab owned by alice): %v", err)
		}
	})
	t.Run("not one owned by another", func(t *testing.T) {
		_, err := alice.SM.CreateSpace(ctx, privateSpace(st.ID, "for-bob", "bob"))
		wantError(t, "alice's CreateSpace(for-bob owned by bob)", err, "AccessDeniedException", denied("CreateSpace", "for-bob"))
	})
	t.Run("not a shared one", func(t *testing.T) {
		in := privateSpace(st.ID, "shared", "alice")
		in.SpaceSharingSettings.SharingType = smtypes.SharingTypeShared
		_, err := alice.SM.CreateSpace(ctx, in)
		wantError(t, "alice's CreateSpace(shared)", err, "AccessDeniedException", denied("CreateSpace", "shared"))
	})
	t.Run("another's space is not hers to update or delete", func(t *testing.T) {
		_, err := alice.SM.UpdateSpace(ctx, &sagemaker.UpdateSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("bob-lab"), SpaceDisplayName: aws.String("mine")})
		wantError(t, "alice's UpdateSpace(bob-lab)", err, "AccessDeniedException", denied("UpdateSpace", "bob-lab"))
		_, err = alice.SM.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("bob-lab")})
		wantError(t, "alice's DeleteSpace(bob-lab)", err, "AccessDeniedException", denied("DeleteSpace", "bob-lab"))
	})
	t.Run("her own is", func(t *testing.T) {
		if _, err := alice.SM.UpdateSpace(ctx, &sagemaker.UpdateSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("alice-lab"), SpaceDisplayName: aws.String("mine")}); err != nil {
			t.Errorf("alice's UpdateSpace(alice-lab): %v", err)
		}
		if _, err := alice.SM.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("alice-lab")}); err != nil {
			t.Errorf("alice's DeleteSpace(alice-lab): %v", err)
		}
	})
	t.Run("a user with no policy may not list", func(t *testing.T) {
		nobody := f.user(t, "nobody", "")
		_, err := nobody.SM.ListSpaces(ctx, &sagemaker.ListSpacesInput{})
		wantError(t, "ListSpaces by a user with no policy", err, "AccessDeniedException",
			"User: arn:aws:iam::"+account+":user/nobody is not authorized to perform: sagemaker:ListSpaces because no identity-based policy allows the sagemaker:ListSpaces action")
	})
}

func TestSpaceLifecycleOnTheClock(t *testing.T) {
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.LifecycleScale = 1
	cfg.Log = slog.New(slog.DiscardHandler)
	f := startWith(t, cfg)
	st := studioDomain(t, f)
	f.Advance(10 * time.Minute)
	createProfile(t, f, st.ID, "alice", nil)
	f.Advance(10 * time.Second)
	out, err := f.SM.CreateSpace(ctx, privateSpace(st.ID, "lab", "alice"))
	if err != nil {
		t.Fatal(err)
	}
	status := func() string {
		t.Helper()
		d, err := f.SM.DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("lab")})
		if err != nil {
			code, _ := apiError(t, err)
			return code
		}
		return string(d.Status)
	}
	update := func() error {
		_, err := f.SM.UpdateSpace(ctx, &sagemaker.UpdateSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("lab"), SpaceDisplayName: aws.String("Lab")})
		return err
	}
	var got []string
	got = append(got, status())
	wantError(t, "UpdateSpace while the space is Pending", update(), "ResourceInUse", "Space ["+aws.ToString(out.SpaceArn)+"] is in status Pending and cannot be updated.")
	f.Advance(10 * time.Second)
	got = append(got, status())
	if err := update(); err != nil {
		t.Fatal(err)
	}
	got = append(got, status())
	f.Advance(10 * time.Second)
	got = append(got, status())
	if _, err := f.SM.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("lab")}); err != nil {
		t.Fatal(err)
	}
	got = append(got, status())
	f.Advance(10 * time.Second)
	got = append(got, status())
	want := []string{"Pending", "InService", "Updating", "InService", "Deleting", "ResourceNotFound"}
	if !slices.Equal(got, want) {
		t.Errorf("the space's statuses = %v, want %v", got, want)
	}
}
