//! Text encodings: detection (byte-order mark, UTF-8 validity, then
//! chardetng's guess) and a streaming decoder to UTF-8.

use std::io::{self, Read};

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{CoderResult, Decoder, Encoding, UTF_8};

/// The encoding of a text, and whether it began with a byte-order mark.
#[derive(Debug, Clone, Copy)]
pub struct Detected {
    /// The encoding.
    pub encoding: &'static Encoding,
    /// Length of the byte-order mark at the start (0 if none).
    pub bom_len: usize,
}

/// Detect the encoding from the first bytes of a text. `whole` says the
/// sample is the entire file (so a multi-byte sequence cut at its end is an
/// error, not a truncation).
///
/// Order: a BOM (UTF-8, UTF-16 LE/BE) decides; otherwise valid UTF-8 is
/// UTF-8; otherwise chardetng guesses among the legacy encodings (for
/// Russian text this is windows-1251, KOI8-R or IBM866). Only the sample is
/// looked at: a file that is plain ASCII for its first 256 KiB and then
/// switches to a legacy encoding is read as UTF-8, and the bytes that are
/// not UTF-8 become U+FFFD, counted in the read report's
/// `replaced_characters` (pass `encoding` in the read options then).
pub fn detect(sample: &[u8], whole: bool) -> Detected {
    if let Some((encoding, bom_len)) = Encoding::for_bom(sample) {
        return Detected { encoding, bom_len };
    }
    let valid_utf8 = match std::str::from_utf8(sample) {
        Ok(_) => true,
        // Cut inside a character at the end of a partial sample.
        Err(e) => e.error_len().is_none() && !whole,
    };
    if valid_utf8 {
        return Detected {
            encoding: UTF_8,
            bom_len: 0,
        };
    }
    let mut det = EncodingDetector::new(Iso2022JpDetection::Deny);
    det.feed(sample, whole);
    Detected {
        encoding: det.guess(None, Utf8Detection::Deny),
        bom_len: 0,
    }
}

/// A reader of UTF-8 bytes decoded on the fly from another encoding.
/// Malformed sequences become U+FFFD and are counted.
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    finished: bool,
    /// Malformed sequences replaced so far.
    pub replaced: u64,
}

const BUF: usize = 64 * 1024;

impl<R: Read> DecodingReader<R> {
    /// Decode `inner`, which must start after any BOM, from `encoding`.
    pub fn new(inner: R, encoding: &'static Encoding) -> Self {
        DecodingReader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; BUF],
            in_start: 0,
            in_end: 0,
            output: vec![0; BUF * 3 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            finished: false,
            replaced: 0,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        while self.out_start == self.out_end && !self.finished {
            if self.in_start == self.in_end && !self.eof {
                self.in_start = 0;
                self.in_end = 0;
                let n = self.inner.read(&mut self.input)?;
                if n == 0 {
                    self.eof = true;
                }
                self.in_end = n;
            }
            let (result, read, written, replaced) = self.decoder.decode_to_utf8(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.eof,
            );
            if replaced {
                self.replaced += 1;
            }
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && result == CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.fill()?;
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> (String, &'static str) {
        let d = detect(bytes, true);
        let mut r = DecodingReader::new(&bytes[d.bom_len..], d.encoding);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, d.encoding.name())
    }

    #[test]
    fn detects_boms_utf8_and_cp1251() {
        let text = "город;выручка\nМосква;1,5\nКазань;2,25\nСанкт-Петербург;3\n";
        let (s, e) = decode_all(text.as_bytes());
        assert_eq!((s.as_str(), e), (text, "UTF-8"));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode_all(&bom).0, text);
        let (cp, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let (s, e) = decode_all(&cp);
        assert_eq!((s.as_str(), e), (text, "windows-1251"));
        let mut le = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_all(&le), (text.to_string(), "UTF-16LE"));
    }
}
