package i18n

import "testing"

// TestKnownTranslatesFormattedText: text a service made with fmt.Sprintf
// from a format en.po has is translated with its values kept; text that
// only looks like it is left alone.
func TestKnownTranslatesFormattedText(t *testing.T) {
	c := load(t)
	fr, ar := c.Printer(French), c.Printer(Arabic)
	tests := []struct {
		name string
		p    *Printer
		text string
		want string
	}{
		{"a value in the middle", fr, "only FR's administrators may change its points of contact", "seuls les administrateurs de l’État FR peuvent modifier ses points de contact"},
		{"a number", fr, "someone else changed this entry meanwhile (now version 7); reload and try again", fr.T("someone else changed this entry meanwhile (now version %d); reload and try again")},
		{"a quoted value", fr, `no State with code "XX"`, ""},
		{"not a number where one is due", fr, "someone else changed this entry meanwhile (now version seven); reload and try again", "someone else changed this entry meanwhile (now version seven); reload and try again"},
		{"no such format", ar, "nothing like any message", "nothing like any message"},
		{"English stays as it was", c.Printer(English), "only FR's administrators may change its points of contact", "only FR's administrators may change its points of contact"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.p.Known(tc.text)
			want := tc.want
			switch {
			case tc.name == "a number":
				want = verbIn.ReplaceAllString(want, "7")
			case want == "":
				tr := tc.p.T(`no State with code %q`)
				want = verbIn.ReplaceAllString(tr, `"XX"`)
				if tr == `no State with code %q` {
					t.Fatal("the French catalogue lacks the format this test needs")
				}
			}
			if got != want {
				t.Errorf("Known(%q) = %q, want %q", tc.text, got, want)
			}
		})
	}
}

// TestKnownTranslatesAnItemsProblem: a list field's error names the item
// and then its problem, itself a message: both parts are translated, the
// item kept as typed.
func TestKnownTranslatesAnItemsProblem(t *testing.T) {
	c := load(t)
	fr := c.Printer(French)
	problem := "enter an address like name@example.org"
	want := `"duty@"` + "\u00a0: " + fr.Known(problem)
	if fr.Known(problem) == problem {
		t.Fatal("the French catalogue lacks the problem this test needs")
	}
	if got := fr.Known(`"duty@": ` + problem); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// The item is data even when it reads like a message ("Name"), and a
	// problem the catalogue lacks stays as written.
	if got, want := fr.Known(`"Name": something nobody wrote`), `"Name"`+"\u00a0: something nobody wrote"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
