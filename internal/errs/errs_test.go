package errs

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{E(Invalid, "x"), http.StatusUnprocessableEntity},
		{E(NotFound, "x"), http.StatusNotFound},
		{E(Forbidden, "x"), http.StatusForbidden},
		{E(Unauthenticated, "x"), http.StatusUnauthorized},
		{E(Conflict, "x"), http.StatusConflict},
		{E(TooMany, "x"), http.StatusTooManyRequests},
		{E(Internal, "x"), http.StatusInternalServerError},
		{E(Malformed, "x"), http.StatusBadRequest},
		{E(TooLarge, "x"), http.StatusRequestEntityTooLarge},
		{E(UnsupportedMedia, "x"), http.StatusUnsupportedMediaType},
		{E(PreconditionRequired, "x"), http.StatusPreconditionRequired},
		{E(MethodNotAllowed, "x"), http.StatusMethodNotAllowed},
		{errors.New("foreign"), http.StatusInternalServerError},
		{fmt.Errorf("wrapped: %w", E(NotFound, "x")), http.StatusNotFound},
	}
	for _, tc := range tests {
		if got := HTTPStatus(tc.err); got != tc.want {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestMessagesAreSafe(t *testing.T) {
	cause := errors.New("pq: relation secret_table does not exist")
	err := Internalf(cause, "load thing")
	if MessageOf(err) == "" || errors.Unwrap(err) == nil {
		t.Fatal("internal error lost its message or cause")
	}
	if got := MessageOf(err); got != "something went wrong on our side" {
		t.Errorf("internal cause shown to the user: %q", got)
	}
	if got := MessageOf(cause); got != "something went wrong on our side" {
		t.Errorf("foreign error shown to the user: %q", got)
	}
	var f Fields
	f.Add("email", "first")
	f.Add("email", "second")
	if FieldsOf(f.Err())["email"] != "first" {
		t.Error("the first problem of a field must win")
	}
	if (Fields{}).Err() != nil {
		t.Error("no fields must mean no error")
	}
}
