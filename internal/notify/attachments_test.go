package notify_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// TestMailCarriesNoAttachments: files stay on the server. The encrypted
// mail lists them with their hashes; the plain notice says nothing of them.
func TestMailCarriesNoAttachments(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		content := []byte("ATTACHED-CONTENT-0042 203.0.113.99\n")
		sum := sha256.Sum256(content)
		hash := hex.EncodeToString(sum[:])
		_, err := w.app.Messaging.Send(context.Background(), w.frpoc, messaging.Draft{Type: messaging.IncidentNotification, Recipients: []string{"KE"},
			Level: messaging.Technical, Urgency: messaging.Urgent, TLP: tlp.Amber, Subject: "Wiper samples", Body: "Hashes attached.",
			Fields:      map[string]string{"impact": "none yet", "status": "ongoing"},
			Attachments: []messaging.Upload{{Name: "iocs-wiper.txt", MediaType: "text/plain", Content: bytes.NewReader(content)}}})
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		got := byRecipient(w.smtp.Messages())
		for to, msgs := range got {
			for _, m := range msgs {
				if bytes.Contains(m.Data, []byte("ATTACHED-CONTENT")) || bytes.Contains(m.Data, []byte("iocs-wiper")) {
					t.Errorf("the mail to %s carries the file or its name on the wire", to)
				}
			}
		}
		if len(got["keyed@cirt.ke.test.invalid"]) != 1 || len(got["plain@cirt.ke.test.invalid"]) != 1 {
			t.Fatalf("mails by recipient: %v", keys(got))
		}
		plain := bodyText(t, w.gpg.Decrypt(encryptedPart(t, got["keyed@cirt.ke.test.invalid"][0].Data)))
		if !strings.Contains(plain, "Attachments (1)") || !strings.Contains(plain, "iocs-wiper.txt") || !strings.Contains(plain, hash) || strings.Contains(plain, "ATTACHED-CONTENT") {
			t.Errorf("the encrypted mail should list the file and its hash, not its content:\n%s", plain)
		}
		if notice := bodyText(t, got["plain@cirt.ke.test.invalid"][0].Data); strings.Contains(notice, hash) || strings.Contains(notice, "Attachments") {
			t.Errorf("the plain notice tells of the files:\n%s", notice)
		}
	})
}
