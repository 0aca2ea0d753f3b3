package messaging

import (
	"path"
	"strings"

	"github.com/detente/detente/internal/errs"
)

// CheckFields validates the template fields of a communication written
// against t as Send does, each problem under "fields.<name>" in f, and
// returns them normalised. Communications written ahead of time (the
// injects of an exercise scenario) are checked with it, so that what they
// hold is what Send will take.
func CheckFields(t Template, in map[string]string, f *errs.Fields) map[string]string {
	return checkFields(t, in, f)
}

// IsProgram reports whether a file is refused as a program, by its name
// or its content, as Send refuses it.
func IsProgram(name string, content []byte) bool {
	return refusedExtensions[strings.ToLower(path.Ext(SanitiseFileName(name)))] || executable(content)
}
