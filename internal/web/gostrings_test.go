package web_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/detente/detente/internal/i18n"
)

// verb is a verb of a fmt format, such as %s or %-3d.
var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// goText is a string literal of the web's Go code that a person would read
// without the catalogue.
type goText struct {
	File    string
	Line    int
	Text    string
	Problem string
}

func (g goText) String() string {
	return fmt.Sprintf("%s:%d: %s: %q", g.File, g.Line, g.Problem, g.Text)
}

// textBypassingTheCatalogue reads a Go file of the web pages and reports
// the literal text it gives people past the catalogue:
//
//   - the Title, Message, Flash or Errors of a page (in a page{…} literal,
//     or set afterwards, as x.Title = …, whatever x is) made
//     of a string literal, alone, joined with +, or through fmt.Sprint*: a
//     title "Accounts" has no space but is English all the same, so every
//     literal counts but those of white space only (an empty flash, the
//     blank line between two translated paragraphs);
//   - the message of http.Error, a plain-text answer people read;
//   - the message of a web error (errs.E's format, errs.Wrap's message,
//     errs.Error's Message, a field error of its Fields or of an
//     errs.Fields) that en.po does not have, whole, as a message:
//     such messages are translated by their English text (Printer.Known),
//     so one built of pieces or missing from en.po stays in English. A
//     format without letters besides its verbs, such as errs.E's "%s"
//     around a text already translated, is no text.
//
// Redirects pass no message: they name one of the fixed flashes by a code
// in the address (?done=saved), and those are i18n.Messages. known says
// whether en.po has a message.
func textBypassingTheCatalogue(file string, src []byte, known func(string) bool) ([]goText, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	httpPkg := importNames(f, "net/http")
	errsPkg := importNames(f, "github.com/detente/detente/internal/errs")
	fmtPkg := importNames(f, "fmt")

	var found []goText
	report := func(lit *ast.BasicLit, problem string) {
		s, _ := strconv.Unquote(lit.Value)
		found = append(found, goText{File: file, Line: fset.Position(lit.Pos()).Line, Text: s, Problem: problem})
	}
	// literals are the string literals that make up the text of e: e
	// itself, the parts joined with +, the arguments of fmt.Sprint* and
	// of a conversion. Text that comes out of any other call (p.T, a
	// map of messages) is not the literal's.
	var literals func(e ast.Expr) []*ast.BasicLit
	literals = func(e ast.Expr) []*ast.BasicLit {
		switch e := e.(type) {
		case *ast.BasicLit:
			if s, err := strconv.Unquote(e.Value); e.Kind == token.STRING && err == nil && strings.TrimSpace(s) != "" {
				return []*ast.BasicLit{e}
			}
		case *ast.ParenExpr:
			return literals(e.X)
		case *ast.BinaryExpr:
			if e.Op == token.ADD {
				return append(literals(e.X), literals(e.Y)...)
			}
		case *ast.CallExpr:
			if isConversion(e) || isCall(e, fmtPkg, "Sprintf", "Sprint", "Sprintln") {
				var out []*ast.BasicLit
				for _, a := range e.Args {
					out = append(out, literals(a)...)
				}
				return out
			}
		}
		return nil
	}
	var shown func(field string, e ast.Expr)
	shown = func(field string, e ast.Expr) {
		if field == "Errors" {
			if m, ok := e.(*ast.CompositeLit); ok {
				for _, el := range m.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						shown("Errors", kv.Value)
					}
				}
			}
		}
		fix := "write it with the printer (p.T)"
		if field == "Flash" {
			fix = "pass an i18n.Message"
		}
		for _, lit := range literals(e) {
			report(lit, "the page's "+field+" is a literal string: "+fix)
		}
	}
	// errorText checks the message of a web error: translated by its
	// English text, it must be a message of en.po, whole.
	errorText := func(e ast.Expr) {
		lits := literals(e)
		if len(lits) == 1 && lits[0] == e {
			s, _ := strconv.Unquote(lits[0].Value)
			if !strings.ContainsFunc(verb.ReplaceAllString(s, ""), unicode.IsLetter) || known(s) {
				return
			}
			report(lits[0], "the error's message is not in en.po: add it to the area of its page, or write it with p.T")
			return
		}
		for _, lit := range lits {
			report(lit, "the error's message is built from English pieces: write it whole with p.T")
		}
	}
	pageFields := []string{"Title", "Message", "Flash", "Errors"}
	// fieldSets are the variables declared as errs.Fields, whose Add
	// takes a field error.
	fieldSets := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			if isSelector(n.Type, errsPkg, "Fields") {
				for _, name := range n.Names {
					fieldSets[name.Name] = true
				}
			}
		case *ast.AssignStmt:
			for i, rhs := range n.Rhs {
				if c, ok := rhs.(*ast.CompositeLit); ok && isSelector(c.Type, errsPkg, "Fields") && i < len(n.Lhs) {
					if id, ok := n.Lhs[i].(*ast.Ident); ok {
						fieldSets[id.Name] = true
					}
				}
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			isPage := isIdent(n.Type, "page")
			isError := isSelector(n.Type, errsPkg, "Error")
			if !isPage && !isError {
				return true
			}
			for _, el := range n.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				switch {
				case key == nil:
				case isPage && slices.Contains(pageFields, key.Name):
					shown(key.Name, kv.Value)
				case isError && key.Name == "Message":
					errorText(kv.Value)
				case isError && key.Name == "Fields":
					if m, ok := kv.Value.(*ast.CompositeLit); ok {
						for _, el := range m.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								errorText(kv.Value)
							}
						}
					}
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				sel, ok := lhs.(*ast.SelectorExpr)
				if ok && i < len(n.Rhs) && slices.Contains(pageFields, sel.Sel.Name) {
					shown(sel.Sel.Name, n.Rhs[i])
				}
			}
		case *ast.CallExpr:
			switch {
			case isCall(n, httpPkg, "Error") && len(n.Args) == 3:
				for _, lit := range literals(n.Args[1]) {
					report(lit, "http.Error's message is a literal string: people read it; write it with the printer (p.T)")
				}
			case isCall(n, errsPkg, "E") && len(n.Args) >= 2:
				errorText(n.Args[1])
			case isCall(n, errsPkg, "Wrap") && len(n.Args) == 3:
				errorText(n.Args[2])
			case len(n.Args) == 2 && isMethodOf(n, fieldSets, "Add"):
				errorText(n.Args[1])
			}
		}
		return true
	})
	return found, nil
}

// importNames are the names file f uses for the package at path.
func importNames(f *ast.File, path string) []string {
	var names []string
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == path {
			if imp.Name != nil {
				names = append(names, imp.Name.Name)
			} else {
				names = append(names, path[strings.LastIndex(path, "/")+1:])
			}
		}
	}
	return names
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isSelector reports pkg.name, for pkg any of the names of a package.
func isSelector(e ast.Expr, pkg []string, names ...string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && slices.Contains(pkg, x.Name) && slices.Contains(names, sel.Sel.Name)
}

func isCall(c *ast.CallExpr, pkg []string, names ...string) bool {
	return isSelector(c.Fun, pkg, names...)
}

// isMethodOf reports a call v.method(…) of one of the variables vars.
func isMethodOf(c *ast.CallExpr, vars map[string]bool, method string) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != method {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && vars[x.Name]
}

// isConversion reports a conversion to a string type, such as string(…)
// or template.HTML(…), whose text is its argument's.
func isConversion(c *ast.CallExpr) bool {
	if len(c.Args) != 1 {
		return false
	}
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		return fn.Name == "string"
	case *ast.SelectorExpr:
		return isIdent(fn.X, "template") && slices.Contains([]string{"HTML", "HTMLAttr", "JS", "URL"}, fn.Sel.Name)
	}
	return false
}

// TestGoTextBypassingTheCatalogue: the Go code of the web pages gives
// people no text of its own past the catalogue (see
// textBypassingTheCatalogue). The snippets show what is found and what is
// not; then every file of the package is read.
func TestGoTextBypassingTheCatalogue(t *testing.T) {
	known := func(s string) bool { return s == "only this State's administrators may retire its points of contact" }
	for _, tc := range []struct {
		name, code string
		found      []string // the literals reported, in order
	}{
		{"a literal title", `_ = page{Title: "Accounts"}`, []string{"Accounts"}},
		{"a title through the printer", `_ = page{Title: p.T("Accounts")}`, nil},
		{"a title with a placeholder through the printer", `_ = page{Title: p.T("Retire {title}?", "title", name)}`, nil},
		{"a title the person wrote", `_ = page{Title: d.Messages[0].Subject}`, nil},
		{"a title built of English", `_ = page{Title: "Retire " + name + "?"}`, []string{"Retire ", "?"}},
		{"a title formatted in Go", `_ = page{Title: fmt.Sprintf("%d accounts", n)}`, []string{"%d accounts"}},
		{"a literal form message of a page pointer", `_ = &page{Message: "try again"}`, []string{"try again"}},
		{"a literal flash", `_ = page{Flash: "Saved."}`, []string{"Saved."}},
		{"no flash", `_ = page{Flash: ""}`, nil},
		{"a flash as a message", `_ = page{Flash: i18n.M("Saved.")}`, nil},
		{"a flash named by its code", `_ = page{Flash: flashes["saved"]}`, nil},
		{"a literal field error", `_ = page{Errors: map[string]string{"email": "enter an address"}}`, []string{"enter an address"}},
		{"a field error through the printer", `_ = page{Errors: map[string]string{"email": p.T("enter an address")}}`, nil},
		{"a title set afterwards", `pg.Title = "Accounts"`, []string{"Accounts"}},
		{"a flash set afterwards as a message", `pg.Flash = flashes[code]`, nil},
		{"another type's title", `_ = renders.Entry{Title: "kept"}`, nil},
		{"http.Error with a literal", `http.Error(w, "internal error", http.StatusInternalServerError)`, []string{"internal error"}},
		{"http.Error through the printer", `http.Error(w, p.T("Something went wrong on our side"), 500)`, nil},
		{"http.Error with two paragraphs through the printer", `http.Error(w, p.T("Something went wrong on our side")+"\n\n"+p.T("Try again."), 500)`, nil},
		{"a title joined with punctuation", `_ = page{Title: name + " — " + state}`, []string{" — "}},
		{"http.Error under another name", `nethttp.Error(w, "internal error", 500)`, []string{"internal error"}},
		{"an error en.po has", `_ = errs.E(errs.Forbidden, "only this State's administrators may retire its points of contact")`, nil},
		{"an error en.po lacks", `_ = errs.E(errs.Forbidden, "you may not do this")`, []string{"you may not do this"}},
		{"an error format en.po lacks", `_ = errs.E(errs.Forbidden, "only %s may do this", code)`, []string{"only %s may do this"}},
		{"an error already translated", `_ = errs.E(errs.TooLarge, "%s", p.T("The form is too large."))`, nil},
		{"a wrapped error en.po lacks", `_ = errs.Wrap(err, errs.Invalid, "cannot read the form")`, []string{"cannot read the form"}},
		{"an error built of English", `_ = &errs.Error{Code: errs.Malformed, Message: "The " + what + " is wrong."}`, []string{"The ", " is wrong."}},
		{"an error through the printer", `_ = &errs.Error{Code: errs.Invalid, Message: p.T("please choose the kind of communication")}`, nil},
		{"a field error en.po lacks", `_ = &errs.Error{Code: errs.Invalid, Fields: map[string]string{"type": "choose one"}}`, []string{"choose one"}},
		{"a field error through the printer", `_ = &errs.Error{Code: errs.Invalid, Fields: map[string]string{"type": p.T("choose one")}}`, nil},
		{"a field error added that en.po lacks", "var bad errs.Fields\nbad.Add(\"opens_at\", \"enter a date\")", []string{"enter a date"}},
		{"a field error added that en.po has", "bad := errs.Fields{}\nbad.Add(\"state\", \"only this State's administrators may retire its points of contact\")", nil},
		{"a form value added", `form.Add("recipients", "KE")`, nil},
		{"a log line", `s.log.Error("render", "template", name)`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			imports := `import (nethttp "net/http"; "net/http"; "fmt"; "github.com/detente/detente/internal/errs"; "github.com/detente/detente/internal/i18n")`
			src := "package web\n" + imports + "\nfunc f() {\n" + tc.code + "\n}\n"
			found, err := textBypassingTheCatalogue("snippet.go", []byte(src), known)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, g := range found {
				texts = append(texts, g.Text)
			}
			if !slices.Equal(texts, tc.found) {
				t.Errorf("found %q, want %q", texts, tc.found)
			}
		})
	}

	c := catalogue(t)
	inCatalogue := func(s string) bool { return len(c.CheckMessage(i18n.M(s))) == 0 }
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		found, err := textBypassingTheCatalogue(file, src, inCatalogue)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range found {
			t.Error(g)
		}
	}
}
