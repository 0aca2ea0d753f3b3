package messaging

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/detente/detente/internal/store"
)

// The SQL of the message_templates table: every version of every type's
// template, its fields and provisions kept as JSON.

const templateCols = `type, version, title, description, fields, provisions, created_at, created_by`

// storedField is a template field as message_templates keeps it. Its JSON
// names are stored data and never change with Field.
type storedField struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Kind     string   `json:"kind"`
	Required bool     `json:"required,omitempty"`
	Choices  []string `json:"choices,omitempty"`
	Help     string   `json:"help,omitempty"`
}

func storedFields(fs []Field) []storedField {
	out := make([]storedField, len(fs))
	for i, f := range fs {
		out[i] = storedField{Name: f.Name, Label: f.Label, Kind: string(f.Kind), Required: f.Required, Choices: f.Choices, Help: f.Help}
	}
	return out
}

// insertTemplate writes t as the version t.Version of its type; a version
// written meanwhile is a unique violation.
func insertTemplate(ctx context.Context, tx *sql.Tx, t Template) error {
	fields, _ := json.Marshal(storedFields(t.Fields))
	provs, _ := json.Marshal(nonNilStrings(t.Provisions))
	_, err := tx.ExecContext(ctx, `INSERT INTO message_templates (`+templateCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, string(t.Type), t.Version, t.Title, t.Description, string(fields), string(provs), t.CreatedAt, t.CreatedBy)
	return err
}

// countTemplates counts the versions of typ's template.
func countTemplates(ctx context.Context, q store.Queryer, typ Type) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM message_templates WHERE type = $1`, string(typ)).Scan(&n)
	return n, err
}

// latestTemplateVersion is the number of typ's newest version, 0 for none.
func latestTemplateVersion(ctx context.Context, q store.Queryer, typ Type) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM message_templates WHERE type = $1`, string(typ)).Scan(&v)
	return v, err
}

// selectTemplate reads version of typ's template, or its newest version
// when version is 0.
func selectTemplate(ctx context.Context, q store.Queryer, typ Type, version int) (Template, error) {
	query := `SELECT ` + templateCols + ` FROM message_templates WHERE type = $1 ORDER BY version DESC LIMIT 1`
	args := []any{string(typ)}
	if version > 0 {
		query = `SELECT ` + templateCols + ` FROM message_templates WHERE type = $1 AND version = $2`
		args = append(args, version)
	}
	var t Template
	var typS, fields, provs string
	err := q.QueryRowContext(ctx, query, args...).Scan(&typS, &t.Version, &t.Title, &t.Description, &fields, &provs, &t.CreatedAt, &t.CreatedBy)
	if err != nil {
		return Template{}, err
	}
	t.Type = Type(typS)
	var stored []storedField
	if err := json.Unmarshal([]byte(fields), &stored); err != nil {
		return Template{}, fmt.Errorf("decode template fields: %w", err)
	}
	t.Fields = make([]Field, len(stored))
	for i, f := range stored {
		t.Fields[i] = Field{Name: f.Name, Label: f.Label, Kind: FieldKind(f.Kind), Required: f.Required, Choices: f.Choices, Help: f.Help}
	}
	if err := json.Unmarshal([]byte(provs), &t.Provisions); err != nil {
		return Template{}, fmt.Errorf("decode template provisions: %w", err)
	}
	return t, nil
}
