// Package services gives, for TestServiceMessagesAreFollowed, a message in
// each of the ways the services' messages reach people; the words "not a
// message" must not be found.
package services

import (
	"cmp"
	"fmt"
	"net/url"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n/testdata/services/check"
)

const constant = "a constant"

func fields(v url.Values) error {
	var f errs.Fields
	f.Add("a", "a literal")
	f.Add("b", constant)
	local := "a local"
	f.Add("c", local)
	if problem := result(); problem != "" {
		f.Add("d", problem)
	}
	f.Add("e", "the subject "+check.Plain("x"))
	for _, name := range []string{"x"} {
		f.Add(name, "a field of a loop")
	}
	through(&f, "a field through a parameter")
	required := func(what string) { f.Add("g", "enter "+what) }
	required("a name")
	required("")
	f.Add("h", fmt.Sprintf("%q: %s", v.Get("h"), "a part of a format without words"))
	f.Add("j", cmp.Or(v.Get("j"), "the first that is not empty"))
	v.Add("i", "not a message: url.Values are no field errors")
	return f.Err()
}

func result() string { return "a result" }

func through(f *errs.Fields, msg string) { f.Add("f", msg) }

func invalid(format string, args ...any) error { return errs.E(errs.Invalid, format, args...) }

func errors(cause error) []error {
	return []error{
		invalid("a helper's %s", "value"),
		errs.Wrap(cause, errs.Invalid, "a wrapped cause"),
		&errs.Error{Code: errs.Invalid, Message: "an error's message", Fields: map[string]string{"a": "an error's field"}},
		errs.Fields{"a": "named fields"}.Err(),
		errs.E(errs.Internal, "not a message: people see a sentence of its own"),
	}
}
