// Command modelgen compacts the vendored botocore models for embedding: it removes documentation and examples,
// which are most of each file and which sagebox never reads, and keeps everything else, in order.
//
// Usage (from internal/model, as go generate runs it): go run ./modelgen -in botocore -out data
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
)

// metadataFile is the name model.Set reads the index of metadata from; keep the two in step.
const metadataFile = "metadata.json"

// dropped are the keys whose values sagebox never reads.
var dropped = map[string]bool{"documentation": true, "documentationUrl": true, "examples": true}

func main() {
	in := flag.String("in", "botocore", "directory of vendored models: SERVICE/API-VERSION/service-2.json")
	out := flag.String("out", "data", "directory to write SERVICE.json into")
	flag.Parse()
	paths, err := filepath.Glob(filepath.Join(*in, "*", "*", "service-2.json"))
	if err != nil || len(paths) == 0 {
		log.Fatalf("modelgen: no models under %s", *in)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	index := map[string]json.RawMessage{}
	for _, p := range paths {
		svc := strings.Split(filepath.ToSlash(p), "/")
		name := svc[len(svc)-3]
		src, err := os.ReadFile(p)
		if err != nil {
			log.Fatal(err)
		}
		var buf bytes.Buffer
		if err := compact(&buf, json.NewDecoder(bytes.NewReader(src))); err != nil {
			log.Fatalf("modelgen: %s: %v", p, err)
		}
		buf.WriteByte('\n')
		if err := os.WriteFile(filepath.Join(*out, name+".json"), buf.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d -> %d bytes\n", name, len(src), buf.Len())
		var doc struct {
			Metadata json.RawMessage `json:"metadata"`
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			log.Fatal(err)
		}
		index[name] = doc.Metadata
	}
	// The metadata of every model in one small file, so that the server can route requests at start-up
	// without parsing a model it may never use.
	idx, err := json.Marshal(index)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*out, metadataFile), append(idx, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}

// compact copies one JSON value from dec to w without whitespace and without the dropped keys, keeping the
// order of object members (the order of a structure's members is the order its XML elements take).
func compact(w *bytes.Buffer, dec *json.Decoder) error {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	return value(w, dec, tok)
}

func value(w *bytes.Buffer, dec *json.Decoder, tok json.Token) error {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			w.WriteByte('{')
			first := true
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key := k.(string)
				v, err := dec.Token()
				if err != nil {
					return err
				}
				if dropped[key] {
					if err := skip(dec, v); err != nil {
						return err
					}
					continue
				}
				if !first {
					w.WriteByte(',')
				}
				first = false
				writeJSON(w, key)
				w.WriteByte(':')
				if err := value(w, dec, v); err != nil {
					return err
				}
			}
			w.WriteByte('}')
		case '[':
			w.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					w.WriteByte(',')
				}
				v, err := dec.Token()
				if err != nil {
					return err
				}
				if err := value(w, dec, v); err != nil {
					return err
				}
			}
			w.WriteByte(']')
		}
		_, err := dec.Token() // the closing delimiter
		return err
	default:
		writeJSON(w, t)
	}
	return nil
}

func skip(dec *json.Decoder, tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || (d != '{' && d != '[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

func writeJSON(w *bytes.Buffer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	w.Truncate(w.Len() - 1) // Encode's newline
}
