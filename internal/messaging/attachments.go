package messaging

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"github.com/detente/detente/internal/i18n"
	"io"
	"math"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/validate"
)

// Upload is a file a sender attaches to a message (Draft.Attachments).
type Upload struct {
	Name      string    // the file name as the sender's system gave it
	MediaType string    // the media type the sender's client declared; may be empty
	Content   io.Reader // read once, no further than the limits allow
}

// Attachment describes a file attached to a message. It has no marking of
// its own: whoever may read the message may read its attachments, and
// nobody else.
type Attachment struct {
	ID           string
	MessageID    string
	Name         string // sanitised; shown and used as the download's file name
	OriginalName string // as sent
	DeclaredType string // what the sender's client said it is
	DetectedType string // what its content looks like (net/http.DetectContentType)
	Size         int64  // bytes
	SHA256       string // hex
	CreatedAt    time.Time
}

// AttachmentLimits bound what one message may carry.
type AttachmentLimits struct {
	MaxFileBytes  int64 // one file
	MaxTotalBytes int64 // the files of one message together
	MaxCount      int   // files per message
}

// DefaultAttachmentLimits: ten files, 10 MiB each, 25 MiB together.
func DefaultAttachmentLimits() AttachmentLimits {
	return AttachmentLimits{MaxFileBytes: 10 << 20, MaxTotalBytes: 25 << 20, MaxCount: 10}
}

// orDefault fills unset limits with the defaults.
func (l AttachmentLimits) orDefault() AttachmentLimits {
	d := DefaultAttachmentLimits()
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxCount <= 0 {
		l.MaxCount = d.MaxCount
	}
	return l
}

// Summary says the limits in words, for a form's hint.
func (l AttachmentLimits) Summary() string {
	return fmt.Sprintf("Up to %d files, %s each, %s together", l.MaxCount, HumanBytes(l.MaxFileBytes), HumanBytes(l.MaxTotalBytes))
}

// AttachmentLimits returns the limits Send applies, so that edges can size
// their request bodies and tell people the limits before they hit them.
func (s *Service) AttachmentLimits() AttachmentLimits { return s.cfg.Attachments.orDefault() }

// HumanBytes writes a size the way people read it: 512 bytes, 3.4 KiB, 10 MiB.
func HumanBytes(n int64) string {
	unit := func(v float64, u string) string {
		return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + " " + u
	}
	switch {
	case n >= 1<<30:
		return unit(float64(n)/(1<<30), "GiB")
	case n >= 1<<20:
		return unit(float64(n)/(1<<20), "MiB")
	case n >= 1<<10:
		return unit(float64(n)/(1<<10), "KiB")
	case n == 1:
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// BytesIn writes a size as people read it in p's language, with binary
// units as HumanBytes does: 512 bytes, 3.4 KiB, 10 MiB.
func BytesIn(p *i18n.Printer, n int64) string {
	tenths := func(v float64) float64 { return math.Round(v*10) / 10 }
	switch {
	case n >= 1<<30:
		return p.T("{size} GiB", "size", tenths(float64(n)/(1<<30)))
	case n >= 1<<20:
		return p.T("{size} MiB", "size", tenths(float64(n)/(1<<20)))
	case n >= 1<<10:
		return p.T("{size} KiB", "size", tenths(float64(n)/(1<<10)))
	}
	return p.N("{count} byte", "{count} bytes", int(n))
}

// HumanSize is the attachment's size for people.
func (a Attachment) HumanSize() string { return HumanBytes(a.Size) }

// DeclaredDiffers reports whether the sender's client declared a media type
// other than the one the content looks like, which a reader may want to
// know before opening the file.
func (a Attachment) DeclaredDiffers() bool {
	d, _, err1 := mime.ParseMediaType(a.DeclaredType)
	s, _, err2 := mime.ParseMediaType(a.DetectedType)
	return err1 == nil && err2 == nil && d != "application/octet-stream" && d != s
}

// servable lists the media types a download may be labelled with. They
// are formats browsers do not execute; every other file, and in particular
// HTML, SVG and XML, which could run script, is served as
// application/octet-stream.
var servable = map[string]bool{
	"text/plain":      true,
	"application/pdf": true,
	"image/png":       true,
	"image/jpeg":      true,
	"image/gif":       true,
	"image/webp":      true,
}

// ServedType is the Content-Type a download of the attachment is served
// with. It follows the sniffed type, never the declared one, so a sender
// cannot declare HTML to be an image.
func (a Attachment) ServedType() string {
	if mt, _, err := mime.ParseMediaType(a.DetectedType); err == nil && servable[mt] {
		return a.DetectedType
	}
	return "application/octet-stream"
}

// Disposition is the Content-Disposition of a download (RFC 6266): always
// an attachment, never shown inline, with the name as an ASCII fallback
// and in full as RFC 8187 UTF-8.
func (a Attachment) Disposition() string {
	var fallback, full strings.Builder
	for _, r := range a.Name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			fallback.WriteByte('_')
		} else {
			fallback.WriteRune(r)
		}
	}
	const attrChar = "!#$&+-.^_`|~"
	for _, c := range []byte(a.Name) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			full.WriteByte(c)
		} else {
			fmt.Fprintf(&full, "%%%02X", c)
		}
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + full.String()
}

// file is an upload that passed the checks, with its content.
type file struct {
	Attachment
	content []byte
}

// maxNameBytes bounds the original file name; longer ones are refused
// rather than cut, since the original is kept as sent.
const maxNameBytes = 1024

// refusedExtensions are names that Windows and common desktops run when
// opened. Samples of malicious files travel in an encrypted archive.
var refusedExtensions = map[string]bool{
	".exe": true, ".com": true, ".scr": true, ".pif": true, ".bat": true, ".cmd": true, ".msi": true, ".msp": true,
	".dll": true, ".cpl": true, ".hta": true, ".js": true, ".jse": true, ".vbs": true, ".vbe": true, ".wsf": true,
	".wsh": true, ".ps1": true, ".lnk": true, ".jar": true, ".reg": true, ".scf": true, ".msc": true, ".appx": true,
	".msix": true, ".application": true, ".gadget": true,
}

// executable reports whether content is a native program: Windows PE,
// ELF or Mach-O.
func executable(content []byte) bool {
	for _, magic := range [][]byte{
		[]byte("MZ"), []byte("\x7fELF"),
		{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe}, {0xca, 0xfe, 0xba, 0xbe},
	} {
		if bytes.HasPrefix(content, magic) {
			return true
		}
	}
	return false
}

// readUploads reads and checks the files of a draft. Every refusal is
// reported under the field "attachments" and names its file; nothing is
// dropped quietly. The content read is bounded by the limits.
func (s *Service) readUploads(ups []Upload) ([]file, error) {
	return readFiles(s.AttachmentLimits().orDefault(), ups)
}

func readFiles(lim AttachmentLimits, ups []Upload) ([]file, error) {
	var problems []string
	var out []file
	var total int64
	for i, up := range ups {
		label := fmt.Sprintf("%q", up.Name)
		if strings.TrimSpace(up.Name) == "" {
			label = fmt.Sprintf("file %d", i+1)
		}
		if i >= lim.MaxCount {
			problems = append(problems, fmt.Sprintf("%s is one file too many: attach at most %d files to a message", label, lim.MaxCount))
			continue
		}
		var f file
		f.OriginalName = strings.ToValidUTF8(strings.ReplaceAll(up.Name, "\x00", ""), "\uFFFD")
		switch {
		case strings.TrimSpace(up.Name) == "":
			problems = append(problems, label+" has no name: give every file a name")
			continue
		case validate.Plain(up.Name) != "":
			// Such a name can pass a program off as a document.
			problems = append(problems, label+": the file name "+validate.Plain(up.Name)+"; rename the file")
			continue
		case len(f.OriginalName) > maxNameBytes:
			problems = append(problems, fmt.Sprintf("%q: the file name is too long; rename the file to at most %d characters", truncate(f.OriginalName, 40)+"…", maxNameBytes))
			continue
		}
		f.Name = SanitiseFileName(f.OriginalName)
		if refusedExtensions[strings.ToLower(path.Ext(f.Name))] {
			problems = append(problems, label+" is a program, which is not accepted: to share a sample, put it in an encrypted archive")
			continue
		}
		var content []byte
		if up.Content != nil {
			var err error
			content, err = io.ReadAll(io.LimitReader(up.Content, lim.MaxFileBytes+1))
			if err != nil {
				return nil, errs.Internalf(err, "read attachment")
			}
		}
		switch {
		case len(content) == 0:
			problems = append(problems, label+" is empty")
			continue
		case int64(len(content)) > lim.MaxFileBytes:
			problems = append(problems, fmt.Sprintf("%s is larger than %s, the limit for one file", label, HumanBytes(lim.MaxFileBytes)))
			continue
		case executable(content):
			problems = append(problems, label+" is a program, which is not accepted: to share a sample, put it in an encrypted archive")
			continue
		case total+int64(len(content)) > lim.MaxTotalBytes:
			problems = append(problems, fmt.Sprintf("%s would bring the files to %s, over the %s a message may carry",
				label, HumanBytes(total+int64(len(content))), HumanBytes(lim.MaxTotalBytes)))
			continue
		}
		total += int64(len(content))
		sum := sha256.Sum256(content)
		f.Size, f.SHA256, f.content = int64(len(content)), hex.EncodeToString(sum[:]), content
		f.DetectedType = http.DetectContentType(content)
		f.DeclaredType = "application/octet-stream"
		if mt, params, err := mime.ParseMediaType(up.MediaType); err == nil && len(up.MediaType) <= 255 {
			if v := mime.FormatMediaType(mt, params); v != "" {
				f.DeclaredType = v
			}
		}
		out = append(out, f)
	}
	if len(problems) > 0 {
		var fields errs.Fields
		fields.Add("attachments", strings.Join(problems, "; "))
		return nil, fields.Err()
	}
	return out, nil
}

func truncate(s string, n int) string {
	for i := range s {
		if i >= n {
			return s[:i]
		}
	}
	return s
}

// windowsDevices are names Windows reserves, whatever the extension.
var windowsDevices = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true}

// maxSafeName is the longest sanitised name, in bytes: what common file
// systems accept.
const maxSafeName = 200

// SanitiseFileName makes a file name safe to show and to offer as a
// download's name: only the last path element, no control or invisible
// formatting characters (so a right-to-left override cannot disguise
// "exe.pdf"), none of the characters Windows forbids, no leading or
// trailing dots and spaces, no device names, and at most 200 bytes with
// the extension kept.
func SanitiseFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
		space = false
	}
	name = strings.Trim(b.String(), " .")
	if name == "" {
		return "attachment"
	}
	stem, _, _ := strings.Cut(name, ".")
	if windowsDevices[strings.ToUpper(strings.TrimSpace(stem))] {
		name = "_" + name
	}
	if len(name) > maxSafeName {
		ext := path.Ext(name)
		if len(ext) > 20 {
			ext = ""
		}
		name = strings.TrimRight(truncate(name, maxSafeName-len(ext)), " .") + ext
	}
	return name
}

// withFileProblems adds the attachments' problems to those of the rest of
// the draft, so the sender sees every field to fix at once.
func withFileProblems(draft, files error) error {
	switch {
	case files == nil:
		return draft
	case draft == nil:
		return files
	case !errs.Is(draft, errs.Invalid):
		return draft
	case !errs.Is(files, errs.Invalid):
		return files
	}
	merged := errs.Fields{}
	for k, v := range errs.FieldsOf(draft) {
		merged[k] = v
	}
	for k, v := range errs.FieldsOf(files) {
		merged.Add(k, v)
	}
	return merged.Err()
}

// attach gives the checked files their ids and message, and lists them on m.
func attach(m *Message, files []file) {
	m.Attachments = make([]Attachment, 0, len(files))
	for i := range files {
		files[i].ID, files[i].MessageID, files[i].CreatedAt = newID(), m.ID, m.CreatedAt
		m.Attachments = append(m.Attachments, files[i].Attachment)
	}
}

// insertAttachments stores the files of m in the send's transaction and
// audits each: its metadata and hash, never its content.
func (s *Service) insertAttachments(ctx context.Context, tx *sql.Tx, a actor.Actor, m Message, files []file) error {
	for i, f := range files {
		if err := insertAttachment(ctx, tx, i, f); err != nil {
			return errs.Internalf(err, "insert attachment")
		}
		if err := s.audit.Append(ctx, tx, a, audit.Change{Action: "message.attach", ObjectType: "attachment", ObjectID: f.ID, State: m.SenderState,
			Details: map[string]any{"message": m.ID, "name": f.Name, "original_name": f.OriginalName, "size": f.Size, "sha256": f.SHA256,
				"declared_type": f.DeclaredType, "detected_type": f.DetectedType}}); err != nil {
			return err
		}
	}
	return nil
}

// Attachment returns an attachment and its content if a may read the
// message it belongs to, by exactly the rules of Message. Any other
// caller, whatever the reason, is told it does not exist.
func (s *Service) Attachment(ctx context.Context, a actor.Actor, id string) (Attachment, []byte, error) {
	if err := a.RequireSignedIn(); err != nil {
		return Attachment{}, nil, err
	}
	notFound := errs.E(errs.NotFound, "no such attachment")
	if _, err := uuid.Parse(id); err != nil {
		return Attachment{}, nil, notFound
	}
	messageID, err := attachmentMessage(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Attachment{}, nil, notFound
	}
	if err != nil {
		return Attachment{}, nil, errs.Internalf(err, "load attachment")
	}
	if _, err := s.Message(ctx, a, messageID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return Attachment{}, nil, notFound
		}
		return Attachment{}, nil, err
	}
	at, content, err := selectAttachment(ctx, s.db.R, id)
	if store.NoRows(err) {
		return Attachment{}, nil, notFound
	}
	if err != nil {
		return Attachment{}, nil, errs.Internalf(err, "load attachment content")
	}
	return at, content, nil
}
