package validate

import "strings"

// languageNames are the English names of the languages directory entries
// list most: the six UN languages and the ISO 639-1 languages of UN Member
// States' administrations. A tag not in the table is shown as it is.
var languageNames = map[string]string{
	"af": "Afrikaans", "am": "Amharic", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian", "bg": "Bulgarian",
	"bn": "Bengali", "bs": "Bosnian", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German",
	"dv": "Dhivehi", "dz": "Dzongkha", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "eu": "Basque",
	"fa": "Persian", "fi": "Finnish", "fil": "Filipino", "fj": "Fijian", "fr": "French", "ga": "Irish", "gl": "Galician",
	"ha": "Hausa", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "ht": "Haitian Creole", "hu": "Hungarian",
	"hy": "Armenian", "id": "Indonesian", "ig": "Igbo", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
	"ka": "Georgian", "kk": "Kazakh", "km": "Khmer", "ko": "Korean", "ky": "Kyrgyz", "lb": "Luxembourgish", "lo": "Lao",
	"lt": "Lithuanian", "lv": "Latvian", "mg": "Malagasy", "mi": "Māori", "mk": "Macedonian", "mn": "Mongolian",
	"ms": "Malay", "mt": "Maltese", "my": "Burmese", "nb": "Norwegian Bokmål", "ne": "Nepali", "nl": "Dutch",
	"nn": "Norwegian Nynorsk", "no": "Norwegian", "pl": "Polish", "ps": "Pashto", "pt": "Portuguese", "ro": "Romanian",
	"ru": "Russian", "rw": "Kinyarwanda", "si": "Sinhala", "sk": "Slovak", "sl": "Slovenian", "sm": "Samoan",
	"so": "Somali", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "tg": "Tajik",
	"th": "Thai", "ti": "Tigrinya", "tk": "Turkmen", "to": "Tongan", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
	"uz": "Uzbek", "vi": "Vietnamese", "xh": "Xhosa", "yo": "Yoruba", "zh": "Chinese", "zu": "Zulu",
}

// scriptNames are the scripts a tag most often names.
var scriptNames = map[string]string{"Hans": "Simplified", "Hant": "Traditional", "Latn": "Latin", "Cyrl": "Cyrillic", "Arab": "Arabic"}

// LanguageName returns the English name of a normalised language tag, as
// "French", "Chinese (Simplified)" or "Portuguese (BR)"; a language not in
// the table is returned as its tag.
func LanguageName(tag string) string {
	parts := strings.Split(tag, "-")
	name, ok := languageNames[parts[0]]
	if !ok {
		return tag
	}
	var extra []string
	for _, p := range parts[1:] {
		if s, ok := scriptNames[p]; ok {
			extra = append(extra, s)
		} else {
			extra = append(extra, p)
		}
	}
	if len(extra) > 0 {
		name += " (" + strings.Join(extra, ", ") + ")"
	}
	return name
}
