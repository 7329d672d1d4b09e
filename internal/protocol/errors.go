package protocol

import (
	"errors"
	"net/http"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// kindTable is how one protocol names each Kind of error: its code, HTTP status and the message an error of that
// kind gets when it has none.
type kindTable func(awserr.Kind) (code string, status int, message string)

// resolve returns a copy of err with what it leaves to the protocol filled in — the code from its Kind, the status
// from the model's error shape (a fault shape without one is a 500) or from its Kind or 400, the message from its
// Kind — and the model's error shape for the code, if any. Resolving a resolved error changes nothing.
func resolve(svc *model.Service, err *awserr.Error, kind kindTable) (*awserr.Error, *model.Shape) {
	if err == nil {
		err = awserr.Internal(errors.New("protocol: an error response without an error"))
	}
	e := *err
	kcode, kstatus, kmessage := kind(err.Kind)
	if e.Code == "" {
		e.Code = kcode
	}
	if e.Code == "" {
		e.Code, e.Status, e.Receiver = "InternalFailure", http.StatusInternalServerError, true
	}
	var shape *model.Shape
	if svc != nil {
		shape = svc.ErrorShape(e.Code)
	}
	if e.Status == 0 && shape != nil {
		if shape.Error != nil && shape.Error.HTTPStatusCode != 0 {
			e.Status = shape.Error.HTTPStatusCode
		} else if shape.Fault {
			e.Status = http.StatusInternalServerError
		}
	}
	if e.Status == 0 && err.Kind != awserr.KindNone {
		e.Status = kstatus
	}
	if e.Status == 0 {
		e.Status = http.StatusBadRequest
	}
	if e.Message == "" && (err.Code == "" || err.Code == kcode) {
		e.Message = kmessage
	}
	if e.Status >= 500 {
		e.Receiver = true
	}
	return &e, shape
}
