package messaging

// CheckedFile is an upload that passed the checks a communication's
// attachments pass, with its content.
type CheckedFile struct {
	Attachment // ID, MessageID and CreatedAt are left for the caller
	Content    []byte
}

// CheckFiles reads and checks uploads under lim exactly as Send checks a
// message's files: names, programs by extension and by content, empty
// files, sizes and count, each refusal a field error under "attachments"
// naming its file. Other domains that keep files (a meeting's documents)
// use it so that a file refused here is refused there.
func CheckFiles(lim AttachmentLimits, ups []Upload) ([]CheckedFile, error) {
	files, err := readFiles(lim.orDefault(), ups)
	if err != nil {
		return nil, err
	}
	out := make([]CheckedFile, len(files))
	for i, f := range files {
		out[i] = CheckedFile{Attachment: f.Attachment, Content: f.content}
	}
	return out, nil
}
