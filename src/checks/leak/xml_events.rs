//! The events of an XML build file (a Maven `pom.xml`, a .NET `*.csproj`), each with the byte range it
//! was read from, for readers that point at what they find.

use quick_xml::events::Event;
use quick_xml::Reader;
use std::ops::Range;

/// Iterates a document's events up to its end; an `Err` when it does not parse (the build tool's to
/// report), after which it stops.
pub(super) struct XmlEvents<'a> {
    reader: Reader<&'a [u8]>,
    len: usize,
    done: bool,
}

impl<'a> XmlEvents<'a> {
    pub(super) fn new(text: &'a [u8]) -> Self {
        XmlEvents {
            reader: Reader::from_reader(text),
            len: text.len(),
            done: false,
        }
    }
}

impl<'a> Iterator for XmlEvents<'a> {
    type Item = Result<(Event<'a>, Range<usize>), ()>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let before = self.reader.buffer_position() as usize;
        let event = match self.reader.read_event() {
            Ok(Event::Eof) => {
                self.done = true;
                return None;
            }
            Ok(e) => e,
            Err(_) => {
                self.done = true;
                return Some(Err(()));
            }
        };
        let after = (self.reader.buffer_position() as usize).min(self.len);
        Some(Ok((event, before..after)))
    }
}
