package notify_test

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/gpgtest"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/smtptest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// letter is a mail as its reader sees it: decrypted if it was encrypted.
type letter struct {
	encrypted     bool
	subject, body string
}

// read decodes a mail received by the SMTP server, decrypting it with
// key when it is OpenPGP/MIME.
func read(t *testing.T, m smtptest.Message, key *gpgtest.Home) letter {
	t.Helper()
	raw := m.Data
	var l letter
	if strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/encrypted") {
		if key == nil {
			t.Fatalf("an encrypted mail to %v, and no key to read it", m.To)
		}
		raw, l.encrypted = key.Decrypt(encryptedPart(t, m.Data)), true
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if l.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	l.body = strings.ReplaceAll(bodyText(t, raw), "\r\n", "\n")
	return l
}

// TestMailInTheRecipientsLanguage sends an EXERCISE communication marked
// TLP:AMBER to KE and opens a communication check of KE's technical
// POCs, which list different languages. Each POC's mails come in the first
// of its languages the catalogue has, else in English; an encrypted mail
// still decrypts with gpg; the TLP label and the EXERCISE marking stay in
// English, even in Arabic; dates name their time zone.
func TestMailInTheRecipientsLanguage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// The clock starts now: gpg dates its keys by the wall clock.
		clk := clock.NewFixed(time.Now().UTC().Truncate(time.Second))
		srv := smtptest.Start(t, smtptest.Options{})
		key := gpgtest.NewKey(t, "KE CIRT <fr-keyed@cirt.ke.test.invalid>")
		a := openApp(t, storetest.DSN(t, db.Engine), clk, srv, jobs.Options{})
		since := clk.Now().AddDate(-1, 0, 0)
		for _, st := range []string{"FR", "KE"} {
			if err := a.Directory.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
				t.Fatal(err)
			}
		}
		mk := func(email string, role actor.Role, state string) actor.Actor {
			acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: email, DisplayName: email, Role: role, State: state, Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			return acc.Actor()
		}
		frpoc, keadmin, sec := mk("poc@fr.test.invalid", actor.POC, "FR"), mk("admin@ke.test.invalid", actor.StateAdmin, "KE"), mk("sec@un.test.invalid", actor.Secretariat, "")
		const (
			frKeyed = "fr-keyed@cirt.ke.test.invalid" // French, then English; has a key
			frPlain = "fr-plain@cirt.ke.test.invalid" // French only
			german  = "de@cirt.ke.test.invalid"       // German and Swahili: neither is one of the six
			arabic  = "ar@cirt.ke.test.invalid"
		)
		zones := map[string]string{frKeyed: "Europe/Paris", frPlain: "Africa/Nairobi", german: "Africa/Nairobi", arabic: "Asia/Riyadh"}
		for email, langs := range map[string][]string{frKeyed: {"fr", "en"}, frPlain: {"fr"}, german: {"de", "sw"}, arabic: {"ar", "en"}} {
			pgp := ""
			if email == frKeyed {
				pgp = key.Armored
			}
			if _, err := a.Directory.Nominate(ctx, keadmin, "KE", directory.POCInput{Level: directory.Technical, FunctionTitle: "Duty officer", Organisation: "KE CIRT",
				Emails: []string{email}, Phones: []string{"+254 20 000 0000"}, Languages: langs, TimeZone: zones[email], Availability: directory.Always, PGPKey: pgp}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Messaging.Send(ctx, frpoc, messaging.Draft{Type: messaging.IncidentNotification, Recipients: []string{"KE"},
			Level: messaging.Technical, Urgency: messaging.Urgent, TLP: tlp.Amber, Subject: "Wiper at a grid operator", Body: "C2 at 203.0.113.7.",
			Fields: map[string]string{"impact": "two substations offline", "status": "ongoing"}, AckRequested: true, Exercise: true}); err != nil {
			t.Fatal(err)
		}
		camp, err := a.Checks.Create(ctx, sec, checks.Input{Name: "Check of December", ScopeKind: checks.ScopeStates, Scope: []string{"KE"}, Levels: []string{"technical"}, WindowHours: 72})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Jobs.RunDue(ctx, 50); err != nil {
			t.Fatal(err)
		}

		// Each recipient's communication mail and check mail, as read.
		type mailKind string
		const communication, check mailKind = "communication", "check"
		got := map[string]map[mailKind]letter{}
		for _, m := range srv.Messages() {
			k := communication
			if strings.HasPrefix(m.Header.Get("Message-Id"), "<detente-ping-") {
				k = check
			}
			var kk *gpgtest.Home
			if m.To[0] == frKeyed {
				kk = key
			}
			if got[m.To[0]] == nil {
				got[m.To[0]] = map[mailKind]letter{}
			}
			got[m.To[0]][k] = read(t, m, kk)
		}
		closes := func(lang i18n.Language, email string) string {
			loc, err := time.LoadLocation(zones[email])
			if err != nil {
				t.Fatal(err)
			}
			return a.Text.Printer(lang).DateTime(camp.ClosesAt, loc)
		}

		tests := []struct {
			name      string
			to        string
			kind      mailKind
			encrypted bool
			subject   []string // what the subject holds
			body      []string // what the body holds
			not       []string // what neither holds
		}{
			{"a French POC's check, encrypted to its key", frKeyed, check, true,
				[]string{"[detente] Test de communication\u00a0: veuillez confirmer la réception de ce message"},
				[]string{"Ceci est un test de communication du Répertoire mondial des points de contact (Check of December).",
					"(État\u00a0: Kenya\u00a0; niveau\u00a0: technique)", "Le test prend fin le " + closes(i18n.French, frKeyed) + ".", "/ping/"},
				[]string{"Communication check", "This is a communication check"}},
			{"a French POC's communication, encrypted to its key", frKeyed, communication, true,
				[]string{"[detente] EXERCISE — TLP:AMBER: Wiper at a grid operator"},
				[]string{"EXERCISE\n", "Nouvelle communication — expéditeur\u00a0: France\u00a0; destinataire\u00a0: Kenya\u00a0; notification d’incident (urgent).",
					"Marquage\u00a0: TLP:AMBER", "Degré d’urgence\u00a0: urgent", "C2 at 203.0.113.7.", "Accuser réception et répondre\u00a0:"},
				[]string{"has sent a communication", "Marking:"}},
			{"a French POC's check, in clear", frPlain, check, false,
				[]string{"[detente] Test de communication\u00a0: veuillez confirmer la réception de ce message"},
				[]string{"Ceci est un test de communication", "Le test prend fin le " + closes(i18n.French, frPlain) + "."},
				[]string{"Communication check"}},
			{"a French POC's notice without content", frPlain, communication, false,
				[]string{"[detente] EXERCISE — Urgent\u00a0: notification d’incident — expéditeur\u00a0: France — connectez-vous pour en prendre connaissance"},
				[]string{"EXERCISE\n", "Nouvelle communication", "Elle porte le marquage TLP:AMBER\u00a0;", "Connectez-vous pour en prendre connaissance\u00a0:", "Un accusé de réception est demandé."},
				[]string{"Wiper", "203.0.113.7", "sign in to read"}},
			{"languages the catalogue lacks: a check in English", german, check, false,
				[]string{"[detente] Communication check: please confirm you receive this"},
				[]string{"This is a communication check of the Global Points-of-Contact Directory (Check of December).",
					"It was sent to a point of contact of Kenya (technical level): Duty officer, KE CIRT.", "The check closes on " + closes(i18n.English, german) + "."},
				nil},
			{"languages the catalogue lacks: a notice in English", german, communication, false,
				[]string{"[detente] EXERCISE — Urgent: incident notification from France — sign in to read"},
				[]string{"France has sent a communication to Kenya: incident notification (urgent).", "It is marked TLP:AMBER, so it is not sent by email", "Acknowledgement is requested."},
				[]string{"Wiper"}},
			{"an Arabic notice keeps TLP:AMBER and EXERCISE in English", arabic, communication, false,
				// The English head is isolated, so the subject reads right to left.
				[]string{"\u2068[detente] EXERCISE —\u2069 عاجل: إخطار بحادث من فرنسا"},
				[]string{"EXERCISE\n", "مراسلة جديدة من فرنسا إلى كينيا", "تحمل هذه المراسلة العلامة \u2068TLP:AMBER\u2069،", "يُطلب الإقرار بالاستلام."},
				[]string{"تمرين", "Urgent", "sign in"}},
			{"an Arabic check", arabic, check, false,
				[]string{"\u2068[detente]\u2069 اختبار الاتصال: يُرجى تأكيد استلام هذه الرسالة"},
				[]string{"هذا اختبار اتصال يجريه الدليل العالمي لجهات الاتصال", "ينتهي الاختبار في"},
				[]string{"Communication check"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				l, ok := got[tc.to][tc.kind]
				if !ok {
					t.Fatalf("no %s mail to %s; mails by recipient: %v", tc.kind, tc.to, got)
				}
				if l.encrypted != tc.encrypted {
					t.Errorf("encrypted %v, want %v", l.encrypted, tc.encrypted)
				}
				for _, want := range tc.subject {
					if !strings.Contains(l.subject, want) {
						t.Errorf("subject %q lacks %q", l.subject, want)
					}
				}
				for _, want := range tc.body {
					if !strings.Contains(l.body, want) {
						t.Errorf("body lacks %q:\n%s", want, l.body)
					}
				}
				for _, bad := range tc.not {
					if strings.Contains(l.subject, bad) || strings.Contains(l.body, bad) {
						t.Errorf("the mail holds %q:\n%s\n\n%s", bad, l.subject, l.body)
					}
				}
			})
		}
	})
}
