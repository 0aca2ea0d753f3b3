package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/detente/detente/internal/app"
)

// TestEdgesCannotReachSystemSides: what the domains do for no one (notify
// a State, escalate, mark a check mail bounced, create the first
// administrator) lives on their System types, which only the wiring and the
// workers hold. The web pages and the API are given app.Services; this
// fails if that struct carries a System side, the database or the job
// queue, or if their code names a System, the App or its Sys field.
func TestEdgesCannotReachSystemSides(t *testing.T) {
	forbiddenTypes := map[string]bool{"System": true, "Systems": true, "DB": true, "Queue": true, "Sealer": true, "App": true}
	st := reflect.TypeOf(app.Services{})
	for i := range st.NumField() {
		f := st.Field(i)
		typ := f.Type
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		if forbiddenTypes[typ.Name()] {
			t.Errorf("app.Services.%s is a %s: edges must not hold it", f.Name, f.Type)
		}
	}

	forbiddenNames := map[string]bool{"System": true, "NewSystem": true, "Sys": true, "Systems": true, "App": true, "Jobs": true, "DB": true, "Sealer": true}
	for _, dir := range []string{"../web", "../api"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, file, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && forbiddenNames[sel.Sel.Name] {
					t.Errorf("%s: %s names %s, which edges must not reach", fset.Position(sel.Pos()), file, sel.Sel.Name)
				}
				return true
			})
		}
	}
}
