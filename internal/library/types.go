// Package library is the policy library (CBM 7, 8): the documents a State
// shares — strategies, laws, regulations, concept papers, positions on
// international law, OEWG submissions, good-practice papers — with their
// type, language, date, status and what supersedes them, the provisions
// and topics they concern, and a file (checked and kept as a
// communication's attachments are) or a link.
//
// Who sees what, as for capacity building: a document is private (its own
// State and the secretariat), for participants (every participating
// State's accounts and the secretariat) or public (anyone). Lists and the
// full-text search apply that rule in SQL.
package library

import (
	"time"

	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/sharing"
)

// Type is what kind of document it is.
type Type string

const (
	Strategy       Type = "strategy"
	Law            Type = "law"
	Regulation     Type = "regulation"
	ConceptPaper   Type = "concept_paper"
	LawPosition    Type = "law_position" // a national position on international law
	OEWGSubmission Type = "oewg_submission"
	GoodPractice   Type = "good_practice"
	OtherType      Type = "other"
)

// Types lists the types in the order forms show them.
func Types() []Type {
	return []Type{Strategy, Law, Regulation, ConceptPaper, LawPosition, OEWGSubmission, GoodPractice, OtherType}
}

// Label names the type (context "library type").
func (t Type) Label() string {
	switch t {
	case Strategy:
		return "National strategy"
	case Law:
		return "Law"
	case Regulation:
		return "Regulation"
	case ConceptPaper:
		return "Concept paper"
	case LawPosition:
		return "Position on international law"
	case OEWGSubmission:
		return "OEWG submission"
	case GoodPractice:
		return "Good-practice paper"
	case OtherType:
		return "Other document"
	}
	return string(t)
}

// Status is where a document stands.
type Status string

const (
	InProgress Status = "in_progress"
	Adopted    Status = "adopted"
	Superseded Status = "superseded"
)

// Statuses lists them in the order forms show them.
func Statuses() []Status { return []Status{InProgress, Adopted, Superseded} }

// Label names the status (context "library status").
func (s Status) Label() string {
	switch s {
	case InProgress:
		return "In progress"
	case Adopted:
		return "Adopted"
	case Superseded:
		return "Superseded"
	}
	return string(s)
}

// Visibility is who may read a document: the rule of package sharing,
// which capacity building follows too.
type Visibility = sharing.Visibility

const (
	Private      = sharing.Private
	Participants = sharing.Participants
	Public       = sharing.Public
)

// Visibilities lists them from the narrowest.
func Visibilities() []Visibility { return sharing.Visibilities() }

// TextStatus says whether a file's text is in the search index.
type TextStatus string

const (
	NoText     TextStatus = "none"       // a link, or a kind of file whose text is not read
	Extracted  TextStatus = "extracted"  // its text is searchable
	Unreadable TextStatus = "unreadable" // a PDF or page whose text could not be read
)

// Document is one document of the library.
type Document struct {
	ID string
	// Owner is the State that shares it; "" for the secretariat.
	Owner        string
	Type         Type
	Title        string
	Summary      string
	Language     string     // ISO 639-1
	Date         *time.Time // the document's own date; nil unknown
	Status       Status
	SupersededBy string // a document's id, when Status is Superseded
	Provisions   []string
	Topics       []string
	Visibility   Visibility
	Link         string               // http or https; "" when a file is kept
	File         messaging.Attachment // ID "" when none; MessageID unused
	Text         TextStatus
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	UpdatedBy    string

	// The words the full-text index holds: of the metadata, and of the
	// file's text when the file is new (written by the service).
	metaWords, fileWords string
}

// HasFile reports whether the document keeps a file.
func (d Document) HasFile() bool { return d.File.ID != "" }

// Input is what the owner fills in. A new document needs a file or a
// link; on an edit, no file and no link keep the file it has.
type Input struct {
	Type         Type
	Title        string
	Summary      string
	Language     string
	Date         *time.Time
	Status       Status
	SupersededBy string
	Provisions   []string
	Topics       []string
	Visibility   Visibility
	Link         string
	File         *messaging.Upload
}

// Filter narrows a list. Empty fields do not filter.
type Filter struct {
	State     string // the owner: a State's code, or SecretariatFilter
	Type      Type
	Provision string
	Query     string // words that must each begin a word of the title, summary, topics or file text
}

// SecretariatFilter is the owner filter that picks the secretariat's
// documents.
const SecretariatFilter = "secretariat"
