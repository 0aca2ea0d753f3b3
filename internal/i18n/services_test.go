package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// serviceDirs are the packages whose messages reach people: errors and
// field errors the pages and the API show.
var serviceDirs = []string{"access", "actor", "audit", "capacity", "catalog", "checks", "directory", "exercise", "incident", "incidentstix", "library", "meeting", "messaging", "page", "pgpkey", "profile", "scenario", "search", "survey", "taxii", "validate", "webhook"}

// TestServiceMessagesAreInTheCatalogue reads the services' Go code for the
// messages they give people — the text of errs.E and errs.Wrap (but for an
// internal error, which people see as a sentence of its own), of a field
// error (Fields.Add, or an errs.Error or errs.Fields written out), of
// fmt.Sprintf making one, and what validate returns as a problem — and
// fails for each that en.po has neither as a message nor as the format
// that makes it, so that no refusal reaches a page in English only.
//
// A message is followed back to where its text is written: through
// constants, local variables, a helper's parameter (to the arguments of
// each call), a function's string result (to its return statements, also
// in validate) and + (each combination of the parts' texts).
func TestServiceMessagesAreInTheCatalogue(t *testing.T) {
	c := load(t)
	en := c.Printer(English)
	src := &goSource{t: t, fset: token.NewFileSet(), pkgs: map[string]*goPackage{}}
	seen := map[serviceMessage]bool{}
	for _, dir := range serviceDirs {
		for _, m := range src.messages(filepath.Join("..", dir)) {
			if seen[m] {
				continue
			}
			seen[m] = true
			if _, ok := c.ids[key("", m.text)]; ok {
				continue
			}
			if _, ok := en.knownFormatted(m.text); ok {
				continue
			}
			t.Errorf("%s: %q is in no area of po/", m.pos, m.text)
		}
	}
}

// TestServiceMessagesAreFollowed: the ways a message reaches a page, each
// in a small package, are all found.
func TestServiceMessagesAreFollowed(t *testing.T) {
	src := &goSource{t: t, fset: token.NewFileSet(), pkgs: map[string]*goPackage{}}
	var got []string
	for _, m := range src.messages("testdata/services") {
		got = append(got, m.text)
	}
	want := []string{
		"a constant", "a field of a loop", "a field through a parameter", "a helper's %s", "a literal",
		"a local", "a part of a format without words", "a result", "a wrapped cause", "an error's field",
		"an error's message", "enter a name", "named fields", "the first that is not empty", "the subject is not plain",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("found %q\nwant  %q", got, want)
	}
}

type serviceMessage struct {
	pos  string // where its text is written
	text string
}

// goSource parses the packages messages are followed through, once each.
type goSource struct {
	t    *testing.T
	fset *token.FileSet
	pkgs map[string]*goPackage
}

// goPackage is one parsed package: its files, and what following a message
// through it needs to look up.
type goPackage struct {
	src     *goSource
	files   []*ast.File
	consts  map[string]ast.Expr
	funcs   map[string][]*ast.FuncDecl // functions and methods, by name
	parent  map[ast.Node]ast.Node
	imports map[string]string // the name of an imported package of this module → its directory, as pkg takes it
	fields  map[string]bool   // names of errs.Fields values: field errors go to their Add
}

// follow is how many steps a message is followed back, enough for a
// helper calling a helper and short enough to stop a recursion.
const follow = 8

// pkg parses the package in dir, a directory relative to this one.
func (s *goSource) pkg(dir string) *goPackage {
	if p, ok := s.pkgs[dir]; ok {
		return p
	}
	s.t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		s.t.Fatal(err)
	}
	p := &goPackage{src: s, consts: map[string]ast.Expr{}, funcs: map[string][]*ast.FuncDecl{},
		parent: map[ast.Node]ast.Node{}, imports: map[string]string{}, fields: map[string]bool{}}
	s.pkgs[dir] = p
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(s.fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			s.t.Fatal(err)
		}
		p.files = append(p.files, af)
		p.index(af)
	}
	return p
}

// index records af's constants, functions, imports, errs.Fields names and
// every node's parent.
func (p *goPackage) index(af *ast.File) {
	for _, im := range af.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		if rest, ok := strings.CutPrefix(path, "github.com/detente/detente/internal/"); ok {
			name := filepath.Base(rest)
			if im.Name != nil {
				name = im.Name.Name
			}
			p.imports[name] = filepath.Join("..", rest)
		}
	}
	var stack []ast.Node
	ast.Inspect(af, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if len(stack) > 0 {
			p.parent[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		switch n := n.(type) {
		case *ast.FuncDecl:
			p.funcs[n.Name.Name] = append(p.funcs[n.Name.Name], n)
		case *ast.GenDecl:
			if n.Tok == token.CONST {
				for _, sp := range n.Specs {
					vs := sp.(*ast.ValueSpec)
					for i, id := range vs.Names {
						if i < len(vs.Values) {
							p.consts[id.Name] = vs.Values[i]
						}
					}
				}
			}
		case *ast.ValueSpec: // var f errs.Fields
			if isFieldsType(n.Type) {
				for _, id := range n.Names {
					p.fields[id.Name] = true
				}
			}
		case *ast.Field: // f *errs.Fields
			if isFieldsType(n.Type) {
				for _, id := range n.Names {
					p.fields[id.Name] = true
				}
			}
		case *ast.AssignStmt: // f := errs.Fields{}
			for i, r := range n.Rhs {
				if cl, ok := r.(*ast.CompositeLit); ok && isFieldsType(cl.Type) && i < len(n.Lhs) {
					if id, ok := n.Lhs[i].(*ast.Ident); ok {
						p.fields[id.Name] = true
					}
				}
			}
		}
		return true
	})
}

// messages finds the messages of the package in dir, each as written: a
// format keeps its verbs.
func (s *goSource) messages(dir string) []serviceMessage {
	p := s.pkg(dir)
	var out []serviceMessage
	add := func(e ast.Expr) { out = append(out, p.texts(e, follow)...) }
	validate := filepath.Base(dir) == "validate"
	for _, af := range p.files {
		ast.Inspect(af, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				switch {
				case isCall(n, "errs", "E") && len(n.Args) >= 2 && !isSelector(n.Args[0], "errs", "Internal"):
					add(n.Args[1]) // an internal error shows a sentence of its own
				case isCall(n, "errs", "Wrap") && len(n.Args) == 3 && !isSelector(n.Args[1], "errs", "Internal"):
					add(n.Args[2])
				case isMethodCall(n, "Add") && len(n.Args) == 2 && p.isFields(n.Fun.(*ast.SelectorExpr).X):
					add(n.Args[1]) // a field's name, then what to fix
				}
			case *ast.CompositeLit:
				switch {
				case isSelector(n.Type, "errs", "Error"):
					for _, el := range n.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						switch id, _ := kv.Key.(*ast.Ident); {
						case id == nil:
						case id.Name == "Message":
							add(kv.Value)
						case id.Name == "Fields":
							if m, ok := kv.Value.(*ast.CompositeLit); ok {
								for _, f := range m.Elts {
									if kv, ok := f.(*ast.KeyValueExpr); ok {
										add(kv.Value)
									}
								}
							}
						}
					}
				case isFieldsType(n.Type):
					for _, f := range n.Elts {
						if kv, ok := f.(*ast.KeyValueExpr); ok {
							add(kv.Value)
						}
					}
				}
			case *ast.ReturnStmt:
				// validate's checks return (value, problem) or a problem.
				if validate && len(n.Results) > 0 {
					add(n.Results[len(n.Results)-1])
				}
			}
			return true
		})
	}
	slices.SortFunc(out, func(a, b serviceMessage) int { return strings.Compare(a.pos, b.pos) })
	return out
}

// texts are the texts e may have, each where it is written; "" means no
// message and is left out, and so is what cannot be followed.
func (p *goPackage) texts(e ast.Expr, steps int) []serviceMessage {
	if steps == 0 {
		return nil
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		if e.Kind != token.STRING || err != nil || strings.TrimSpace(s) == "" {
			return nil
		}
		return []serviceMessage{{p.src.fset.Position(e.Pos()).String(), s}}
	case *ast.ParenExpr:
		return p.texts(e.X, steps)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return nil
		}
		var out []serviceMessage
		for _, a := range p.texts(e.X, steps-1) {
			for _, b := range p.texts(e.Y, steps-1) {
				out = append(out, serviceMessage{a.pos, a.text + b.text})
			}
		}
		return out
	case *ast.Ident:
		return p.ident(e, steps)
	case *ast.CallExpr:
		return p.results(e, 0, steps)
	}
	return nil
}

// ident follows a name to what it holds: a variable of the innermost
// scope around it that declares the name, a parameter of the function
// around it, or a constant.
func (p *goPackage) ident(id *ast.Ident, steps int) []serviceMessage {
	for n := p.parent[id]; n != nil; n = p.parent[n] {
		var typ *ast.FuncType
		switch f := n.(type) {
		case *ast.FuncDecl:
			typ = f.Type
		case *ast.FuncLit:
			typ = f.Type
		}
		if typ != nil {
			if i := paramIndex(typ, id.Name); i >= 0 {
				return p.arguments(n, i, steps-1)
			}
		}
		if declares(n, id.Name) {
			return p.assigned(n, id.Name, steps-1)
		}
	}
	if v, ok := p.consts[id.Name]; ok {
		return p.texts(v, steps-1)
	}
	return nil
}

// arguments are the texts of argument i in each call of fn, a function or
// a function literal given a name (text := func(…)).
func (p *goPackage) arguments(fn ast.Node, i, steps int) []serviceMessage {
	var name string
	var scope []ast.Node
	switch f := fn.(type) {
	case *ast.FuncDecl:
		name = f.Name.Name
		for _, af := range p.files {
			scope = append(scope, af)
		}
	case *ast.FuncLit:
		as, ok := p.parent[f].(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 {
			return nil
		}
		id, ok := as.Lhs[0].(*ast.Ident)
		if !ok {
			return nil
		}
		name = id.Name
		scope = []ast.Node{as}
		for n := p.parent[as]; n != nil; n = p.parent[n] {
			if fd, ok := n.(*ast.FuncDecl); ok {
				scope = []ast.Node{fd}
				break
			}
		}
	}
	var out []serviceMessage
	for _, sc := range scope {
		ast.Inspect(sc, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || i >= len(c.Args) {
				return true
			}
			switch f := c.Fun.(type) {
			case *ast.Ident:
				ok = f.Name == name
			case *ast.SelectorExpr:
				_, imported := p.imports[identName(f.X)]
				ok = f.Sel.Name == name && !imported
			default:
				ok = false
			}
			if ok {
				out = append(out, p.texts(c.Args[i], steps)...)
			}
			return true
		})
	}
	return out
}

// assigned are the texts given to the variable name that scope declares,
// in it and in what it holds but function literals and scopes declaring
// another variable of that name.
func (p *goPackage) assigned(scope ast.Node, name string, steps int) []serviceMessage {
	var out []serviceMessage
	assign := func(lhs []*ast.Ident, rhs []ast.Expr) {
		for i, id := range lhs {
			if id == nil || id.Name != name {
				continue
			}
			switch {
			case len(rhs) == len(lhs):
				out = append(out, p.texts(rhs[i], steps)...)
			case len(rhs) == 1: // v, problem := validate.Email(s)
				if c, ok := rhs[0].(*ast.CallExpr); ok {
					out = append(out, p.results(c, i, steps)...)
				}
			}
		}
	}
	ast.Inspect(scope, func(n ast.Node) bool {
		if n != scope && declares(n, name) {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			lhs := make([]*ast.Ident, len(n.Lhs))
			for i, l := range n.Lhs {
				lhs[i], _ = l.(*ast.Ident)
			}
			if n.Tok == token.DEFINE || n.Tok == token.ASSIGN {
				assign(lhs, n.Rhs)
			}
		case *ast.ValueSpec:
			assign(n.Names, n.Values)
		}
		return true
	})
	return out
}

// declares reports whether the scope n declares a variable name: a block
// or a case among its statements, an if, for or switch in its first
// statement, a range as its key or value.
func declares(n ast.Node, name string) bool {
	var stmts []ast.Stmt
	switch n := n.(type) {
	case *ast.BlockStmt:
		stmts = n.List
	case *ast.CaseClause:
		stmts = n.Body
	case *ast.IfStmt:
		stmts = []ast.Stmt{n.Init}
	case *ast.ForStmt:
		stmts = []ast.Stmt{n.Init}
	case *ast.SwitchStmt:
		stmts = []ast.Stmt{n.Init}
	case *ast.TypeSwitchStmt:
		stmts = []ast.Stmt{n.Init, n.Assign}
	case *ast.RangeStmt:
		return n.Tok == token.DEFINE && (identName(n.Key) == name || identName(n.Value) == name)
	}
	for _, st := range stmts {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE && slices.ContainsFunc(st.Lhs, func(e ast.Expr) bool { return identName(e) == name }) {
				return true
			}
		case *ast.DeclStmt:
			if g, ok := st.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, sp := range g.Specs {
					if slices.ContainsFunc(sp.(*ast.ValueSpec).Names, func(id *ast.Ident) bool { return id.Name == name }) {
						return true
					}
				}
			}
		}
	}
	return false
}

// results are the texts of result i of a call: fmt.Sprintf's format (or,
// when the format has no words, its arguments), those of cmp.Or's
// arguments, or what a function of this package, or of another package of
// the module, returns there.
func (p *goPackage) results(c *ast.CallExpr, i, steps int) []serviceMessage {
	if isCall(c, "cmp", "Or") {
		var out []serviceMessage
		for _, a := range c.Args {
			out = append(out, p.texts(a, steps-1)...)
		}
		return out
	}
	if isCall(c, "fmt", "Sprintf") && len(c.Args) > 0 {
		format := p.texts(c.Args[0], steps-1)
		if len(format) != 1 || hasWords(format[0].text) {
			return format
		}
		var out []serviceMessage // "%q: %s": the parts are the messages
		for _, a := range c.Args[1:] {
			out = append(out, p.texts(a, steps-1)...)
		}
		return out
	}
	q, name := p, ""
	switch f := c.Fun.(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
		if dir, ok := p.imports[identName(f.X)]; ok {
			q = p.src.pkg(dir)
		}
	}
	var out []serviceMessage
	for _, fd := range q.funcs[name] {
		out = append(out, q.returned(fd, i, steps-1)...)
	}
	return out
}

// returned are the texts fd returns as its result i, if that is a string.
func (p *goPackage) returned(fd *ast.FuncDecl, i, steps int) []serviceMessage {
	var types []ast.Expr
	if fd.Type.Results != nil {
		for _, f := range fd.Type.Results.List {
			for range max(1, len(f.Names)) {
				types = append(types, f.Type)
			}
		}
	}
	if i >= len(types) || identName(types[i]) != "string" || fd.Body == nil {
		return nil
	}
	var out []serviceMessage
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			switch {
			case len(n.Results) == len(types):
				out = append(out, p.texts(n.Results[i], steps)...)
			case len(n.Results) == 1:
				if c, ok := n.Results[0].(*ast.CallExpr); ok {
					out = append(out, p.results(c, i, steps)...)
				}
			}
		}
		return true
	})
	return out
}

func (p *goPackage) isFields(x ast.Expr) bool { return p.fields[identName(x)] }

// paramIndex is the position of the parameter name in typ, or -1.
func paramIndex(typ *ast.FuncType, name string) int {
	i := 0
	for _, f := range typ.Params.List {
		if len(f.Names) == 0 {
			i++
		}
		for _, id := range f.Names {
			if id.Name == name {
				return i
			}
			i++
		}
	}
	return -1
}

// hasWords reports whether a format says anything besides its verbs.
func hasWords(format string) bool {
	return strings.ContainsFunc(verbIn.ReplaceAllString(format, ""), unicode.IsLetter)
}

func identName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func isFieldsType(e ast.Expr) bool {
	if st, ok := e.(*ast.StarExpr); ok {
		e = st.X
	}
	return isSelector(e, "errs", "Fields")
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && identName(sel.X) == pkg && sel.Sel.Name == name
}

func isCall(c *ast.CallExpr, pkg, fn string) bool { return isSelector(c.Fun, pkg, fn) }

func isMethodCall(c *ast.CallExpr, name string) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == name
}
