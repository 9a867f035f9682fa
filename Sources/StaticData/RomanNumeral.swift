/// 1 → "I", 4 → "IV", 14 → "XIV": how EVE numbers planets (`Jita IV`) and skill levels. Numbers
/// outside 1…3999 are written in digits.
public func romanNumeral(_ number: Int) -> String {
    guard (1...3999).contains(number) else { return String(number) }
    let letters = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"),
        (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]
    var rest = number
    var text = ""
    for (value, symbol) in letters {
        while rest >= value {
            text += symbol
            rest -= value
        }
    }
    return text
}
