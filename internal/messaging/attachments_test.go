package messaging_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// png is the start of a PNG file: enough for content sniffing.
var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func upload(name, mediaType string, content []byte) messaging.Upload {
	return messaging.Upload{Name: name, MediaType: mediaType, Content: bytes.NewReader(content)}
}

// count returns the number of rows of table.
func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAttachmentsAreStoredWithTheMessage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		text := []byte("203.0.113.7\n198.51.100.23\n")
		d := incident(tlp.Amber, "KE")
		d.Attachments = []messaging.Upload{
			upload("indicators.txt", "text/plain", text),
			upload(`C:\Users\duty\Desktop\screen shot.png`, "image/png", png),
			upload("page.html", "text/html; charset=UTF-8", []byte("<html><script>alert(1)</script></html>")),
		}
		m := e.send(t, "frpoc", d)

		want := []messaging.Attachment{
			{Name: "indicators.txt", OriginalName: "indicators.txt", DeclaredType: "text/plain", DetectedType: "text/plain; charset=utf-8", Size: int64(len(text)), SHA256: sha(text)},
			{Name: "screen shot.png", OriginalName: `C:\Users\duty\Desktop\screen shot.png`, DeclaredType: "image/png", DetectedType: "image/png", Size: int64(len(png)), SHA256: sha(png)},
			{Name: "page.html", OriginalName: "page.html", DeclaredType: "text/html; charset=UTF-8", DetectedType: "text/html; charset=utf-8", Size: 38,
				SHA256: sha([]byte("<html><script>alert(1)</script></html>"))},
		}
		for name, got := range map[string]messaging.Message{"sent": m, "read by KE": must(e.svc.Message(ctx, e.who["kepoc"], m.ID))} {
			if len(got.Attachments) != len(want) {
				t.Fatalf("%s: %d attachments, want %d", name, len(got.Attachments), len(want))
			}
			for i, w := range want {
				g := got.Attachments[i]
				if g.ID == "" || g.MessageID != m.ID || g.CreatedAt.IsZero() {
					t.Errorf("%s: attachment %d lacks its id, message or time: %+v", name, i, g)
				}
				w.ID, w.MessageID, w.CreatedAt = g.ID, g.MessageID, g.CreatedAt
				if g != w {
					t.Errorf("%s: attachment %d\n got %+v\nwant %+v", name, i, g, w)
				}
			}
		}
		at, content, err := e.svc.Attachment(ctx, e.who["kepoc"], m.Attachments[0].ID)
		if err != nil || !bytes.Equal(content, text) || at.SHA256 != sha(content) || at.Size != int64(len(content)) {
			t.Fatalf("download: %+v %q %v", at, content, err)
		}
		// The thread lists them too.
		msgs, _, err := e.svc.Thread(ctx, e.who["keadmin"], m.ThreadID)
		if err != nil || len(msgs) != 1 || len(msgs[0].Attachments) != 3 {
			t.Fatalf("thread: %v %v", msgs, err)
		}
		// A message without files lists none (an empty list, not null).
		plain := e.send(t, "frpoc", incident(tlp.Amber, "KE"))
		if got := must(e.svc.Message(ctx, e.who["frpoc"], plain.ID)); got.Attachments == nil || len(got.Attachments) != 0 {
			t.Errorf("attachments of a plain message: %#v", got.Attachments)
		}

		// Each upload is audited with its hash; the content is nowhere in
		// the log (only digests of the details are stored).
		log := audit.New(db, e.clock)
		entries, err := log.List(ctx, e.who["sec"], audit.Filter{ObjectType: "attachment"})
		if err != nil {
			t.Fatal(err)
		}
		var audited []string
		for _, en := range entries {
			if en.Action == "message.attach" && en.State == "FR" {
				audited = append(audited, en.ObjectID)
			}
		}
		for _, a := range m.Attachments {
			if !slices.Contains(audited, a.ID) {
				t.Errorf("upload of %s not audited (entries %v)", a.Name, audited)
			}
		}
		if _, err := audit.NewSealer(log, audit.SealConfig{}).Seal(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := log.Verify(ctx); err != nil || n == 0 {
			t.Errorf("audit chain: %d %v", n, err)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestAttachmentLimitsAreRefused checks every refusal: a field error under
// "attachments" that names the file, and nothing stored, not even the
// message.
func TestAttachmentLimitsAreRefused(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		cat, err := catalog.New()
		if err != nil {
			t.Fatal(err)
		}
		cfg := messaging.DefaultConfig()
		cfg.Attachments = messaging.AttachmentLimits{MaxFileBytes: 100, MaxTotalBytes: 150, MaxCount: 3}
		svc, _ := messaging.New(db, audit.New(db, e.clock), e.clock, cat, cfg, directory.NewSystem(e.dir), access.NewSystem(e.acc), nil)
		small := bytes.Repeat([]byte("a"), 60)
		tests := []struct {
			name  string
			files []messaging.Upload
			want  []string // in the field message
		}{
			{"a file over the limit for one file", []messaging.Upload{upload("dump.bin", "", bytes.Repeat([]byte("x"), 101))},
				[]string{`"dump.bin"`, "larger than 100 bytes"}},
			{"files together over the limit of a message", []messaging.Upload{upload("a.txt", "", small), upload("b.txt", "", small), upload("c.txt", "", small)},
				[]string{`"c.txt" would bring the files to 180 bytes`, "150 bytes"}},
			{"too many files", []messaging.Upload{upload("1.txt", "", []byte("1")), upload("2.txt", "", []byte("2")), upload("3.txt", "", []byte("3")), upload("4.txt", "", []byte("4"))},
				[]string{`"4.txt" is one file too many`, "at most 3 files"}},
			{"an empty file", []messaging.Upload{upload("empty.txt", "text/plain", nil)}, []string{`"empty.txt" is empty`}},
			{"no content at all", []messaging.Upload{{Name: "nil.txt"}}, []string{`"nil.txt" is empty`}},
			{"a Windows program by its content", []messaging.Upload{upload("report.pdf", "application/pdf", []byte("MZ\x90\x00\x03"))}, []string{`"report.pdf" is a program`, "encrypted archive"}},
			{"an ELF program by its content", []messaging.Upload{upload("tool", "", []byte("\x7fELF\x02\x01\x01"))}, []string{`"tool" is a program`}},
			{"a program by its name", []messaging.Upload{upload("invoice.pdf.exe", "", []byte("harmless"))}, []string{`"invoice.pdf.exe" is a program`}},
			{"a script by its name", []messaging.Upload{upload("run.PS1", "", []byte("Get-Process"))}, []string{`"run.PS1" is a program`}},
			{"a file without a name", []messaging.Upload{upload("  ", "", []byte("x"))}, []string{"file 1 has no name"}},
			{"a name too long to keep", []messaging.Upload{upload(strings.Repeat("n", 1100)+".txt", "", []byte("x"))}, []string{"file name is too long"}},
			{"every problem at once", []messaging.Upload{upload("ok.txt", "", []byte("fine")), upload("big.iso", "", bytes.Repeat([]byte("x"), 200)), upload("x.exe", "", []byte("x"))},
				[]string{`"big.iso" is larger`, `"x.exe" is a program`}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				msgs, files, audits := count(t, db, "messages"), count(t, db, "attachments"), count(t, db, "audit_log")
				d := incident(tlp.Amber, "KE")
				d.Attachments = tc.files
				_, err := svc.Send(ctx, e.who["frpoc"], d)
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("err = %v, want invalid", err)
				}
				got := errs.FieldsOf(err)["attachments"]
				for _, w := range tc.want {
					if !strings.Contains(got, w) {
						t.Errorf("field message %q lacks %q", got, w)
					}
				}
				if len(errs.FieldsOf(err)) != 1 {
					t.Errorf("other fields blamed: %v", errs.FieldsOf(err))
				}
				if count(t, db, "messages") != msgs || count(t, db, "attachments") != files || count(t, db, "audit_log") != audits {
					t.Error("a refused message was stored, in part or whole")
				}
			})
		}
		t.Run("problems of the files and of the message come together", func(t *testing.T) {
			d := incident(tlp.Amber, "KE")
			d.Subject = ""
			d.Attachments = []messaging.Upload{upload("x.exe", "", []byte("x"))}
			_, err := svc.Send(ctx, e.who["frpoc"], d)
			f := errs.FieldsOf(err)
			if f["subject"] == "" || !strings.Contains(f["attachments"], `"x.exe"`) {
				t.Errorf("fields = %v", f)
			}
		})
		t.Run("files within the limits pass", func(t *testing.T) {
			d := incident(tlp.Amber, "KE")
			d.Attachments = []messaging.Upload{upload("a.txt", "", small), upload("b.txt", "", bytes.Repeat([]byte("b"), 90))}
			m, err := svc.Send(ctx, e.who["frpoc"], d)
			if err != nil || len(m.Attachments) != 2 || m.Attachments[1].Size != 90 {
				t.Fatalf("send at the limits: %v %+v", err, m.Attachments)
			}
		})
	})
}

// TestAttachmentsFollowTheMessagesTLP sends one message per label from FR
// to KE, each with a file, and checks every account: the file is readable
// exactly when the message is, and otherwise "not found", never
// "forbidden".
func TestAttachmentsFollowTheMessagesTLP(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, l := range tlp.Labels() {
			content := []byte("content of the " + string(l) + " file")
			d := incident(l, "KE")
			if l == tlp.Red {
				d.Named = []string{e.who["kepoc"].AccountID}
			}
			d.Attachments = []messaging.Upload{upload("evidence.txt", "text/plain", content)}
			m := e.send(t, "frpoc", d)
			id := m.Attachments[0].ID
			for who, a := range e.who {
				_, msgErr := e.svc.Message(ctx, a, m.ID)
				at, got, err := e.svc.Attachment(ctx, a, id)
				switch {
				case who == "anon":
					if !errs.Is(err, errs.Unauthenticated) || got != nil {
						t.Errorf("%s: anonymous download: %v", l, err)
					}
				case msgErr == nil:
					if err != nil || !bytes.Equal(got, content) || at.ID != id {
						t.Errorf("%s: %s reads the message but not its file: %v", l, who, err)
					}
				default:
					if !errs.Is(err, errs.NotFound) || got != nil || at.ID != "" {
						t.Errorf("%s: %s may not read the message, yet the file gives %v (%d bytes)", l, who, err, len(got))
					}
				}
			}
		}
		// Unknown and malformed ids are not found alike.
		for _, id := range []string{"not-a-uuid", "0190a5d2-0000-7000-8000-000000000000", ""} {
			if _, _, err := e.svc.Attachment(ctx, e.who["frpoc"], id); !errs.Is(err, errs.NotFound) {
				t.Errorf("attachment %q: %v", id, err)
			}
		}
	})
}

// TestReplyAttachmentsKeepTheThreadsMarking: a file sent with an answer to
// a TLP:RED message reaches the named people and nobody else.
func TestReplyAttachmentsKeepTheThreadsMarking(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		d := incident(tlp.Red, "KE")
		d.Named = []string{e.who["kepoc"].AccountID}
		m := e.send(t, "frpoc", d)
		reply := e.send(t, "kepoc", messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "Logs attached.",
			Attachments: []messaging.Upload{upload("logs.txt", "", []byte("Jun 1 03:00 wiper started"))}})
		if reply.TLP != tlp.Red || len(reply.Attachments) != 1 {
			t.Fatalf("reply: %s %+v", reply.TLP, reply.Attachments)
		}
		for who, a := range e.who {
			_, _, err := e.svc.Attachment(ctx, a, reply.Attachments[0].ID)
			switch who {
			case "frpoc", "kepoc":
				if err != nil {
					t.Errorf("%s cannot read the answer's file: %v", who, err)
				}
			case "anon":
				if !errs.Is(err, errs.Unauthenticated) {
					t.Errorf("anonymous: %v", err)
				}
			default:
				if !errs.Is(err, errs.NotFound) {
					t.Errorf("%s reads a TLP:RED file (err %v)", who, err)
				}
			}
		}
		// A reply that may not be sent stores none of its files.
		before := count(t, db, "attachments")
		_, err := e.svc.Send(ctx, e.who["kepoc"], messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, TLP: tlp.Green, Body: "x",
			Attachments: []messaging.Upload{upload("more.txt", "", []byte("more"))}})
		if !errs.Is(err, errs.Invalid) || count(t, db, "attachments") != before {
			t.Errorf("a refused reply: %v, attachments %d → %d", err, before, count(t, db, "attachments"))
		}
		// Someone who may not read the thread cannot attach to it either.
		_, err = e.svc.Send(ctx, e.who["depoc"], messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "x",
			Attachments: []messaging.Upload{upload("intrusion.txt", "", []byte("x"))}})
		if !errs.Is(err, errs.NotFound) || count(t, db, "attachments") != before {
			t.Errorf("a stranger's reply: %v", err)
		}
	})
}

func TestSanitiseFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\x\evil.txt`, "evil.txt"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"}, // right-to-left override removed
		{"zero\u200Bwidth.txt", "zerowidth.txt"},
		{"line\r\nbreak.txt", "line break.txt"},
		{"bell\a.txt", "bell.txt"},
		{"tab\tand  spaces.txt", "tab and spaces.txt"},
		{`a<b>c:d"e|f?g*h.txt`, "a_b_c_d_e_f_g_h.txt"},
		{" .hidden. ", "hidden"},
		{"...", "attachment"},
		{"", "attachment"},
		{"CON.txt", "_CON.txt"},
		{"lpt1", "_lpt1"},
		{"Rapport d’incident – été.txt", "Rapport d’incident – été.txt"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{strings.Repeat("é", 150) + ".txt", strings.Repeat("é", 98) + ".txt"},
	}
	for _, tc := range tests {
		if got := messaging.SanitiseFileName(tc.in); got != tc.want {
			t.Errorf("SanitiseFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDownloadTypeAndDisposition(t *testing.T) {
	tests := []struct {
		name, detected string
		wantType       string
		wantDisp       string
	}{
		{"notes.txt", "text/plain; charset=utf-8", "text/plain; charset=utf-8", `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`},
		{"page.html", "text/html; charset=utf-8", "application/octet-stream", `attachment; filename="page.html"; filename*=UTF-8''page.html`},
		{"logo.svg", "text/xml; charset=utf-8", "application/octet-stream", `attachment; filename="logo.svg"; filename*=UTF-8''logo.svg`},
		{"paper.pdf", "application/pdf", "application/pdf", `attachment; filename="paper.pdf"; filename*=UTF-8''paper.pdf`},
		{"shot.png", "image/png", "image/png", `attachment; filename="shot.png"; filename*=UTF-8''shot.png`},
		{"a.zip", "application/zip", "application/octet-stream", `attachment; filename="a.zip"; filename*=UTF-8''a.zip`},
		{"été 100%.txt", "text/plain; charset=utf-8", "text/plain; charset=utf-8", `attachment; filename="_t_ 100_.txt"; filename*=UTF-8''%C3%A9t%C3%A9%20100%25.txt`},
		{`say "hi";.txt`, "text/plain; charset=utf-8", "text/plain; charset=utf-8", `attachment; filename="say _hi_;.txt"; filename*=UTF-8''say%20%22hi%22%3B.txt`},
	}
	for _, tc := range tests {
		a := messaging.Attachment{Name: tc.name, DetectedType: tc.detected}
		if got := a.ServedType(); got != tc.wantType {
			t.Errorf("%s: served as %q, want %q", tc.name, got, tc.wantType)
		}
		if got := a.Disposition(); got != tc.wantDisp {
			t.Errorf("%s: disposition\n got %s\nwant %s", tc.name, got, tc.wantDisp)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1: "1 byte", 999: "999 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 10 << 20: "10 MiB", 25<<20 + 1<<19: "25.5 MiB"} {
		if got := messaging.HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
