package scenario_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestBadInputIsRefusedByField: each bad input is a field error under the
// field's name, on both engines, and nothing is written.
func TestBadInputIsRefusedByField(t *testing.T) {
	type change func(in *scenario.Input)
	comm := func(f func(i *scenario.Inject)) change { return func(in *scenario.Input) { f(&in.Injects[1]) } }
	prompt := func(f func(i *scenario.Inject)) change { return func(in *scenario.Input) { f(&in.Injects[0]) } }
	cases := []struct {
		name   string
		change change
		field  string
	}{
		{"no title", func(in *scenario.Input) { in.Title = " " }, "title"},
		{"NUL in the title", func(in *scenario.Input) { in.Title = "Drill\x00" }, "title"},
		{"invalid UTF-8 in the narrative", func(in *scenario.Input) { in.Narrative = "story \xff" }, "narrative"},
		{"hidden override in the summary", func(in *scenario.Input) { in.Summary = "abc\u202Eexe" }, "summary"},
		{"no language", func(in *scenario.Input) { in.Language = "" }, "language"},
		{"no duration", func(in *scenario.Input) { in.Duration = 0 }, "duration"},
		{"huge duration", func(in *scenario.Input) { in.Duration = 1 << 62 }, "duration"},
		{"unknown provision", func(in *scenario.Input) { in.Objectives[0].Provisions = []string{"norm-zz"} }, "objectives[0].provisions"},
		{"no provision", func(in *scenario.Input) { in.Objectives[0].Provisions = nil }, "objectives[0].provisions"},
		{"empty objective", func(in *scenario.Input) { in.Objectives[0].Text = "" }, "objectives[0].text"},
		{"no roles", func(in *scenario.Input) { in.Roles = nil }, "roles"},
		{"role key twice", func(in *scenario.Input) { in.Roles[1].Key = "A" }, "roles[1].key"},
		{"role key with a space", func(in *scenario.Input) { in.Roles[0].Key = "A B" }, "roles[0].key"},
		{"role without a name", func(in *scenario.Input) { in.Roles[1].Name = "" }, "roles[1].name"},
		{"no injects", func(in *scenario.Input) { in.Injects = nil }, "injects"},
		{"inject key twice", prompt(func(i *scenario.Inject) { i.Key = "first" }), "injects[1].key"},
		{"offset after the end", prompt(func(i *scenario.Inject) { i.Offset = 4 * time.Hour }), "injects[0].offset"},
		{"negative offset", prompt(func(i *scenario.Inject) { i.Offset = -time.Minute }), "injects[0].offset"},
		{"unknown kind", prompt(func(i *scenario.Inject) { i.Kind = "telegram" }), "injects[0].kind"},
		{"unknown receiving role", prompt(func(i *scenario.Inject) { i.ToRoles = []string{"Z"} }), "injects[0].to_roles"},
		{"no receiving role", prompt(func(i *scenario.Inject) { i.ToRoles = nil }), "injects[0].to_roles"},
		{"prompt with a sender", prompt(func(i *scenario.Inject) { i.FromRole = "B" }), "injects[0].from"},
		{"prompt with a subject", prompt(func(i *scenario.Inject) { i.Subject = "x" }), "injects[0].subject"},
		{"empty prompt", prompt(func(i *scenario.Inject) { i.Prompt = "" }), "injects[0].prompt"},
		{"prompt expecting an acknowledgement", prompt(func(i *scenario.Inject) { i.Expected[0].Action = scenario.Acknowledge }), "injects[0].expected[0].action"},
		{"unknown level", prompt(func(i *scenario.Inject) { i.ToLevel = "ministerial" }), "injects[0].to_level"},
		{"escalation to an unknown level", prompt(func(i *scenario.Inject) { i.Expected[0].Level = "top" }), "injects[0].expected[0].level"},
		{"time limit past the end", prompt(func(i *scenario.Inject) { i.Expected[0].Within = 3 * time.Hour }), "injects[0].expected[0].within"},
		{"huge time limit", prompt(func(i *scenario.Inject) { i.Expected[0].Within = 1 << 62 }), "injects[0].expected[0].within"},
		{"no time limit", prompt(func(i *scenario.Inject) { i.Expected[0].Within = 0 }), "injects[0].expected[0].within"},
		{"unknown action", prompt(func(i *scenario.Inject) { i.Expected[0].Action = "pray" }), "injects[0].expected[0].action"},
		{"fields on an escalation", prompt(func(i *scenario.Inject) { i.Expected[0].Fields = []string{"indicators"} }), "injects[0].expected[0].fields"},
		{"hidden character in a note", prompt(func(i *scenario.Inject) { i.Expected[0].Note = "ok\u200B" }), "injects[0].expected[0].note"},
		{"sender both role and simulated", comm(func(i *scenario.Inject) { i.FromRole = "B" }), "injects[1].from"},
		{"sender neither", comm(func(i *scenario.Inject) { i.FromSimulated = "" }), "injects[1].from"},
		{"sender an unknown role", comm(func(i *scenario.Inject) { i.FromSimulated, i.FromRole = "", "Q" }), "injects[1].from_role"},
		{"sent to itself", comm(func(i *scenario.Inject) { i.FromSimulated, i.FromRole = "", "A" }), "injects[1].to_roles"},
		{"communication without level", comm(func(i *scenario.Inject) { i.ToLevel = "" }), "injects[1].to_level"},
		{"unknown type", comm(func(i *scenario.Inject) { i.Type = "gossip" }), "injects[1].type"},
		{"unknown urgency", comm(func(i *scenario.Inject) { i.Urgency = "now" }), "injects[1].urgency"},
		{"unknown TLP", comm(func(i *scenario.Inject) { i.TLP = "TLP:PURPLE" }), "injects[1].tlp"},
		{"no subject", comm(func(i *scenario.Inject) { i.Subject = "" }), "injects[1].subject"},
		{"NUL in the body", comm(func(i *scenario.Inject) { i.Body = "a\x00b" }), "injects[1].body"},
		{"required template field missing", comm(func(i *scenario.Inject) { i.Fields = nil }), "injects[1].fields.question"},
		{"field not in the template", comm(func(i *scenario.Inject) { i.Fields["sector"] = "health" }), "injects[1].fields.sector"},
		{"bad choice in a template field", comm(func(i *scenario.Inject) {
			i.Type, i.Fields = "incident_notification", map[string]string{"impact": "x", "status": "on fire"}
		}), "injects[1].fields.status"},
		{"too many files", comm(func(i *scenario.Inject) {
			for range 3 {
				i.Attachments = append(i.Attachments, scenario.Attachment{Name: "x.txt", Content: []byte("x")})
			}
		}), "injects[1].attachments"},
		{"file too large", comm(func(i *scenario.Inject) { i.Attachments[0].Content = make([]byte, 1001) }), "injects[1].attachments"},
		{"files too large together", comm(func(i *scenario.Inject) {
			i.Attachments = []scenario.Attachment{{Name: "a.txt", Content: make([]byte, 900)}, {Name: "b.txt", Content: make([]byte, 900)}}
		}), "injects[1].attachments"},
		{"a program", comm(func(i *scenario.Inject) { i.Attachments[0].Name = "update.exe" }), "injects[1].attachments"},
		{"a hidden extension", comm(func(i *scenario.Inject) { i.Attachments[0].Name = "invoice\u202Etxt.exe" }), "injects[1].attachments"},
		{"an empty file", comm(func(i *scenario.Inject) { i.Attachments[0].Content = nil }), "injects[1].attachments"},
		{"answer naming no field", comm(func(i *scenario.Inject) { i.Expected[1].Fields = nil }), "injects[1].expected[1].fields"},
		{"answer naming an unknown field", comm(func(i *scenario.Inject) { i.Expected[1].Fields = []string{"shoe_size"} }), "injects[1].expected[1].fields"},
		{"expectation key twice", comm(func(i *scenario.Inject) { i.Expected[1].Key = "ack" }), "injects[1].expected[1].key"},
		{"assistance from an unknown role", comm(func(i *scenario.Inject) {
			i.Expected[0] = scenario.Expectation{Key: "x", Action: scenario.RequestAssistance, Within: time.Hour, ToRole: "Q"}
		}), "injects[1].expected[0].to_role"},
		{"to_role on an acknowledgement", comm(func(i *scenario.Inject) { i.Expected[0].ToRole = "B" }), "injects[1].expected[0].to_role"},
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		existing, err := e.svc.Create(ctx, e.who["fradmin"], good("Existing"))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := good("Bad " + tc.name)
				tc.change(&in)
				_, err := e.svc.Create(ctx, e.who["fradmin"], in)
				if got := errs.FieldsOf(err)[tc.field]; got == "" {
					t.Fatalf("no error on %s: %v", tc.field, err)
				}
				_, err = e.svc.Save(ctx, e.who["fradmin"], existing.ID, 1, in)
				if errs.FieldsOf(err)[tc.field] == "" {
					t.Fatalf("save: no error on %s: %v", tc.field, err)
				}
			})
		}
		res, err := e.svc.List(ctx, e.who["fradmin"], scenario.Filter{Owner: "mine"}, page.First())
		if err != nil || len(res.Items) != 1 || res.Items[0].Version != 1 {
			t.Fatalf("something was written: %+v %v", res.Items, err)
		}
		for _, s := range res.Items {
			if strings.HasPrefix(s.Title, "Bad ") {
				t.Errorf("written: %s", s.Title)
			}
		}
	})
}
