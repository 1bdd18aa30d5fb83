//! Executable containers (ELF, PE, Mach-O): recognising them by magic, finding named sections,
//! and mapping virtual addresses back to file bytes. Parsing is done by the `object` crate with
//! only its read side enabled; everything here is bounds-checked so corrupt headers give `None`.

use object::{Object, ObjectSection, ObjectSegment};

/// The executable formats recognised by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// ELF (Linux and most Unixes).
    Elf,
    /// PE/COFF (Windows `.exe`/`.dll`).
    Pe,
    /// Mach-O (macOS), a single architecture.
    MachO,
    /// Mach-O universal ("fat") binary holding several architectures.
    MachOFat,
}

/// Recognise an executable by its magic bytes. Cheap: looks at the first eight bytes only.
pub fn detect(data: &[u8]) -> Option<Format> {
    let head = data.get(..4)?;
    match head {
        b"\x7fELF" => Some(Format::Elf),
        [b'M', b'Z', _, _] => Some(Format::Pe),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => Some(Format::MachO),
        [0xca, 0xfe, 0xba, 0xbe] => {
            // Java class files share this magic; a fat header's architecture count is small
            // where a class file has its (large) minor/major version.
            let count = u32::from_be_bytes(data.get(4..8)?.try_into().ok()?);
            (1..=32).contains(&count).then_some(Format::MachOFat)
        }
        _ => None,
    }
}

/// A parsed executable: the raw bytes and, when `object` could read the headers, the parsed file.
pub struct Exe<'a> {
    /// The whole file.
    pub data: &'a [u8],
    /// The format from the magic.
    pub format: Format,
    /// The parsed headers, when they were readable.
    pub file: Option<object::File<'a>>,
    /// Why the headers could not be parsed (not set for fat Mach-O, which is not parsed).
    pub parse_error: Option<String>,
}

impl<'a> Exe<'a> {
    /// Parse the headers of a file whose magic said it is an executable. `None` when the magic
    /// does not match; `file` is `None` when the headers are corrupt or the format is fat.
    pub fn parse(data: &'a [u8]) -> Option<Exe<'a>> {
        let format = detect(data)?;
        let (file, parse_error) = match format {
            Format::MachOFat => (None, None),
            _ => match object::File::parse(data) {
                Ok(f) => (Some(f), None),
                Err(e) => (None, Some(e.to_string())),
            },
        };
        Some(Exe {
            data,
            format,
            file,
            parse_error,
        })
    }

    /// The file bytes of the first section with one of the given names.
    pub fn section(&self, names: &[&str]) -> Option<&'a [u8]> {
        let file = self.file.as_ref()?;
        for name in names {
            if let Some(section) = file.section_by_name(name) {
                if let Some((offset, size)) = section.file_range() {
                    return slice(self.data, offset, size);
                }
            }
        }
        None
    }

    /// The file offset of the first section with one of the given names.
    pub fn section_offset(&self, names: &[&str]) -> Option<u64> {
        let file = self.file.as_ref()?;
        names
            .iter()
            .filter_map(|name| file.section_by_name(name))
            .find_map(|s| s.file_range().map(|(offset, _)| offset))
    }

    /// Whether the headers list any section at all (stripped-to-the-bone binaries have none).
    pub fn has_sections(&self) -> bool {
        self.file
            .as_ref()
            .is_some_and(|f| f.sections().any(|s| s.size() > 0))
    }

    /// Read `len` bytes at virtual address `addr`, through the segments' file mappings.
    pub fn read_at_address(&self, addr: u64, len: u64) -> Option<&'a [u8]> {
        let file = self.file.as_ref()?;
        for segment in file.segments() {
            let start = segment.address();
            let (file_offset, file_size) = segment.file_range();
            let Some(rel) = addr.checked_sub(start) else {
                continue;
            };
            if rel >= file_size {
                continue;
            }
            if rel.checked_add(len)? > file_size {
                return None;
            }
            return slice(self.data, file_offset.checked_add(rel)?, len);
        }
        None
    }
}

/// `data[offset..offset + len]`, or `None` when out of bounds.
pub(crate) fn slice(data: &[u8], offset: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    data.get(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_detection() {
        assert_eq!(detect(b"\x7fELF\x02\x01"), Some(Format::Elf));
        assert_eq!(detect(b"MZ\x90\x00"), Some(Format::Pe));
        assert_eq!(detect(&[0xcf, 0xfa, 0xed, 0xfe]), Some(Format::MachO));
        assert_eq!(
            detect(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]),
            Some(Format::MachOFat)
        );
        // A Java 17 class file: minor 0, major 61.
        assert_eq!(detect(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61]), None);
        assert_eq!(detect(b"#!/bin/sh\n"), None);
        assert_eq!(detect(b"\x7fEL"), None);
    }

    #[test]
    fn corrupt_headers_parse_without_file() {
        let exe = Exe::parse(b"\x7fELF garbage garbage garbage").map(|e| e.file.is_none());
        assert_eq!(exe, Some(true));
    }
}
