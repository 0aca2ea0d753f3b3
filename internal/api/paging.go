package api

import (
	"net/http"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
)

// pageRequest reads limit and cursor, reporting their field errors
// together with those the caller found in its own filters (filterErr), so
// one answer names every parameter to fix.
func pageRequest(r *http.Request, filterErr error) (page.Request, error) {
	req, err := page.Parse(r.URL.Query())
	if filterErr == nil {
		return req, err
	}
	if err == nil || !errs.Is(filterErr, errs.Invalid) {
		return req, filterErr
	}
	fields := map[string]string{}
	for k, v := range errs.FieldsOf(filterErr) {
		fields[k] = v
	}
	for k, v := range errs.FieldsOf(err) {
		fields[k] = v
	}
	return req, &errs.Error{Code: errs.Invalid, Message: errs.MessageOf(filterErr), Fields: fields}
}
