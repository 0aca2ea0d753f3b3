package access_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func catalogue(t *testing.T) *i18n.Catalogue {
	t.Helper()
	c, err := i18n.Load(i18n.ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestResetMailInTheAccountsLanguage: the mail that brings a reset link
// is written in the language the account chose for its pages, subject
// too, else in English; the link's end is a date and time in UTC.
func TestResetMailInTheAccountsLanguage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		box := &outbox{}
		cfg := access.DefaultConfig()
		cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
		cfg.BaseURL, cfg.MailFrom, cfg.Outbox, cfg.Text = "https://detente.test.invalid", "detente@detente.test.invalid", box, catalogue(t)
		svc := access.New(db, e.log, e.clock, cfg)
		sec := e.create(t, "sec@un.invalid", actor.Secretariat, "")
		tests := []struct {
			name, lang   string
			subject      string
			body         []string
			notInTheBody string
		}{
			{"no choice: English", "", "[detente] Choose a new password",
				[]string{"Hello poc0@fr.invalid,", "An administrator reset your account on the Global Points-of-Contact Directory (https://detente.test.invalid).",
					"It works once, until 2 March 2026 12:00 UTC:\nhttps://detente.test.invalid/reset/"}, ""},
			{"French", "fr", "[detente] Choisissez un nouveau mot de passe",
				[]string{"Bonjour poc1@fr.invalid,", "Un administrateur a réinitialisé votre compte", "jusqu’au 2 mars 2026 à 12:00 UTC\u00a0:\nhttps://detente.test.invalid/reset/"}, "Hello"},
			{"Arabic, the English head isolated", "ar", "\u2068[detente]\u2069 اختر كلمة مرور جديدة",
				[]string{"إلى عناية \u2068poc2@fr.invalid\u2069،", "أعاد أحد المسؤولين تعيين حسابكم"}, "Hello"},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				acc := e.create(t, "poc"+string(rune('0'+i))+"@fr.invalid", actor.POC, "FR")
				if tc.lang != "" {
					if err := svc.SetLanguage(ctx, acc.Actor(), tc.lang); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := svc.ResetAccount(ctx, sec.Actor(), acc.ID); err != nil {
					t.Fatal(err)
				}
				subject, body := readMail(t, box.sent[len(box.sent)-1])
				if subject != tc.subject {
					t.Errorf("subject %q, want %q", subject, tc.subject)
				}
				for _, want := range tc.body {
					if !strings.Contains(body, want) {
						t.Errorf("body lacks %q:\n%s", want, body)
					}
				}
				if tc.notInTheBody != "" && strings.Contains(body, tc.notInTheBody) {
					t.Errorf("body holds %q:\n%s", tc.notInTheBody, body)
				}
			})
		}
	})
}

// readMail decodes a queued mail ("to\nraw") into its subject and body.
func readMail(t *testing.T, queued string) (string, string) {
	t.Helper()
	_, raw, _ := strings.Cut(queued, "\n")
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	return subject, strings.ReplaceAll(string(body), "\r\n", "\n")
}
