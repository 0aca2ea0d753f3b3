package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
)

// CheckGoSource finds the catalogue calls in a Go source file — the
// methods T, TC, N and NC and the functions M, MC and MN of this package —
// and reports those whose literal message is not in en.po or whose literal
// argument names differ from its placeholders, as CheckTemplate does for
// templates. A call whose message is not a literal string is not checked
// (CheckMessage can check the value in a test); nor are the names of a
// call that passes its arguments on with "args...".
func (c *Catalogue) CheckGoSource(filename string, src []byte) ([]Finding, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	local := f.Name.Name == "i18n" // inside this package M is called bare
	pkgName := ""
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == "github.com/detente/detente/internal/i18n" {
			pkgName = "i18n"
			if imp.Name != nil {
				pkgName = imp.Name.Name
			}
		}
	}
	var found []Finding
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		name := ""
		switch fn := call.Fun.(type) {
		case *ast.SelectorExpr:
			if x, ok := fn.X.(*ast.Ident); ok && pkgName != "" && x.Name == pkgName {
				if isFunc(fn.Sel.Name) {
					name = fn.Sel.Name
				}
			} else if isMethod(fn.Sel.Name) {
				name = fn.Sel.Name
			}
		case *ast.Ident:
			if local && isFunc(fn.Name) {
				name = fn.Name
			}
		}
		if name == "" {
			return true
		}
		ctxArg := name == "TC" || name == "NC" || name == "MC"
		counted := name == "N" || name == "NC" || name == "MN"
		args := call.Args
		var ctx, plural string
		if ctxArg {
			if len(args) == 0 {
				return true
			}
			s, ok := stringLit(args[0])
			if !ok {
				return true
			}
			ctx, args = s, args[1:]
		}
		if len(args) == 0 {
			return true
		}
		id, ok := stringLit(args[0])
		if !ok {
			return true
		}
		rest := args[1:]
		if counted {
			if len(rest) < 2 {
				return true
			}
			if plural, ok = stringLit(rest[0]); !ok {
				return true
			}
			rest = rest[2:]
		}
		line := fset.Position(call.Pos()).Line
		if call.Ellipsis.IsValid() {
			if _, known := c.ids[key(ctx, id)]; !known {
				found = append(found, Finding{Template: filename, Line: line, Text: id, Problem: "message is not in en.po"})
			}
			return true
		}
		if len(rest)%2 != 0 {
			found = append(found, Finding{Template: filename, Line: line, Text: id, Problem: "arguments must be name/value pairs"})
			return true
		}
		var names []string
		for i := 0; i < len(rest); i += 2 {
			s, ok := stringLit(rest[i])
			if !ok {
				found = append(found, Finding{Template: filename, Line: line, Text: id, Problem: "an argument name is not a literal string"})
				return true
			}
			names = append(names, s)
		}
		for _, p := range c.checkCall(ctx, id, plural, counted, names) {
			found = append(found, Finding{Template: filename, Line: line, Text: id, Problem: p})
		}
		return true
	})
	return found, nil
}

func isMethod(name string) bool { return name == "T" || name == "TC" || name == "N" || name == "NC" }

func isFunc(name string) bool { return name == "M" || name == "MC" || name == "MN" }

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
