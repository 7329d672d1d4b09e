package awserr

import (
	"errors"
	"fmt"
	"testing"
)

func TestIsMatchesOnCodeAndKind(t *testing.T) {
	nse := New("NoSuchEntity", "The role with name %s cannot be found.", "r")
	denied := Newf(KindAccessDenied, "no")
	wrapped := fmt.Errorf("get role: %w", nse)
	cases := []struct {
		err    error
		target *Error
		want   bool
	}{
		{wrapped, &Error{Code: "NoSuchEntity"}, true},
		{wrapped, &Error{Code: "EntityAlreadyExists"}, false},
		{denied, &Error{Kind: KindAccessDenied}, true},
		{denied, &Error{Kind: KindValidation}, false},
		{nse, &Error{}, false},
	}
	for _, c := range cases {
		if got := errors.Is(c.err, c.target); got != c.want {
			t.Errorf("errors.Is(%v, %+v) = %v, want %v", c.err, c.target, got, c.want)
		}
	}
	if nse.Message != "The role with name r cannot be found." {
		t.Errorf("New formatted the message as %q", nse.Message)
	}
}

func TestAsKeepsAWSErrorsAndHidesOthers(t *testing.T) {
	nse := New("NoSuchEntity", "gone")
	if got := As(fmt.Errorf("wrapped: %w", nse)); got != nse {
		t.Errorf("As(wrapped NoSuchEntity) = %v, want the same error", got)
	}
	got := As(errors.New("disk on fire"))
	if got.Kind != KindInternal || got.Status != 500 || got.Message != "" || got.Detail != "disk on fire" {
		t.Errorf("As(plain error) = %+v, want an internal failure whose cause is only in Detail", got)
	}
	if As(nil) != nil {
		t.Error("As(nil) is not nil")
	}
}
