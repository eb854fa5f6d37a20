//! The sales example's CSV text from a fixed pseudo-random sequence (shared
//! by the generator and the test that checks the committed files).

use std::fmt::Write as _;

const REGIONS: [&str; 5] = ["north", "south", "east", "west", "central"];
const CUSTOMERS: u64 = 50;
const ORDERS: u64 = 1_000;

/// A fixed pseudo-random sequence (a 64-bit linear congruential generator).
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// Day `n` (0-based) of the first quarter of 2026 as `2026-MM-DD`.
fn day(n: u64) -> String {
    let (month, day) = match n {
        0..=30 => (1, n + 1),
        31..=58 => (2, n - 30),
        _ => (3, n - 58),
    };
    format!("2026-{month:02}-{day:02}")
}

/// The two CSV files' text.
pub fn csv_texts() -> (String, String) {
    let mut sequence = Sequence(2026);
    let mut customers = String::from("customer_id,name,region\n");
    for id in 1..=CUSTOMERS {
        let region = REGIONS[sequence.next(REGIONS.len() as u64) as usize];
        let _ = writeln!(customers, "{id},customer {id:02},{region}");
    }
    let mut orders = String::from("id,customer_id,amount,day\n");
    for id in 1..=ORDERS {
        let customer = sequence.next(CUSTOMERS) + 1;
        let cents = sequence.next(50_000) + 100;
        let _ = writeln!(
            orders,
            "{id},{customer},{}.{:02},{}",
            cents / 100,
            cents % 100,
            day(sequence.next(90))
        );
    }
    (orders, customers)
}
