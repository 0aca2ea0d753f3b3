package messaging

import (
	"context"
	"database/sql"

	"github.com/detente/detente/internal/store"
)

// The SQL of the attachments table: the files of a message, in the order
// they were attached, with their content. Lists read the metadata only;
// the content is read for a download.

const attachmentCols = `id, message_id, name, original_name, declared_type, detected_type, size, sha256, created_at`

func scanAttachment(row interface{ Scan(...any) error }, extra ...any) (Attachment, error) {
	var at Attachment
	err := row.Scan(append([]any{&at.ID, &at.MessageID, &at.Name, &at.OriginalName, &at.DeclaredType, &at.DetectedType, &at.Size, &at.SHA256, &at.CreatedAt}, extra...)...)
	return at, err
}

// insertAttachment writes f, the ordinal-th file of its message.
func insertAttachment(ctx context.Context, tx *sql.Tx, ordinal int, f file) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO attachments (id, message_id, ordinal, name, original_name, declared_type, detected_type, size, sha256, created_at, content)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		f.ID, f.MessageID, ordinal, f.Name, f.OriginalName, f.DeclaredType, f.DetectedType, f.Size, f.SHA256, f.CreatedAt, f.content)
	return err
}

// attachmentsOf reads the attachments of the messages messageIDs, without
// content, by message and in their order.
func attachmentsOf(ctx context.Context, q store.Queryer, messageIDs []string) ([]Attachment, error) {
	in, args := placeholders(1, messageIDs)
	rows, err := q.QueryContext(ctx, `SELECT `+attachmentCols+` FROM attachments WHERE message_id IN `+in+` ORDER BY message_id, ordinal`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Attachment, error) { return scanAttachment(r) })
}

// attachmentMessage reads which message the attachment id belongs to.
func attachmentMessage(ctx context.Context, q store.Queryer, id string) (string, error) {
	var messageID string
	err := q.QueryRowContext(ctx, `SELECT message_id FROM attachments WHERE id = $1`, id).Scan(&messageID)
	return messageID, err
}

// selectAttachment reads the attachment id with its content.
func selectAttachment(ctx context.Context, q store.Queryer, id string) (Attachment, []byte, error) {
	var content []byte
	at, err := scanAttachment(q.QueryRowContext(ctx, `SELECT `+attachmentCols+`, content FROM attachments WHERE id = $1`, id), &content)
	return at, content, err
}
