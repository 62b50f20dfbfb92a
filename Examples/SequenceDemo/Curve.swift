// The training curve as a self-contained SVG: mean loss per epoch (left axis) and exact-match accuracy on
// training and held-out sequences (right axis).
import Foundation

func curveSVG(_ history: [(loss: Double, train: Double, test: Double)], title: String) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 420.0, 70.0, 70.0, 50.0, 60.0)
    let plotW = w - left - right, plotH = h - top - bottom
    let maxLoss = Swift.max(history.map(\.loss).max() ?? 1, 1e-9)
    let n = Swift.max(history.count - 1, 1)
    func x(_ i: Int) -> Double { left + plotW * Double(i) / Double(n) }
    func yLoss(_ v: Double) -> Double { top + plotH * (1 - v / maxLoss) }
    func yAcc(_ v: Double) -> Double { top + plotH * (1 - v) }
    func path(_ points: [(Double, Double)]) -> String {
        points.enumerated().map { String(format: "%@%.1f,%.1f", $0.offset == 0 ? "M" : " L", $0.element.0, $0.element.1) }.joined()
    }
    var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(w / 2)" y="28" text-anchor="middle" font-size="15">\(title)</text>

        """
    for k in 0...4 {
        let f = Double(k) / 4, yy = top + plotH * (1 - f)
        svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", left, yy, left + plotW, yy)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#c0392b\">%.3f</text>\n", left - 6, yy + 4, maxLoss * f)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#2c3e50\">%.0f %%</text>\n", left + plotW + 6, yy + 4, f * 100)
    }
    for i in 0..<history.count {
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n", x(i), top + plotH + 18, i + 1)
    }
    svg += "<text x=\"\(left + plotW / 2)\" y=\"\(h - 18)\" text-anchor=\"middle\">epoch</text>\n"
    svg += "<path d=\"\(path(history.enumerated().map { (x($0.offset), yLoss($0.element.loss)) }))\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\"/>\n"
    svg += "<path d=\"\(path(history.enumerated().map { (x($0.offset), yAcc($0.element.train)) }))\" fill=\"none\" stroke=\"#2980b9\" stroke-width=\"2\"/>\n"
    svg += "<path d=\"\(path(history.enumerated().map { (x($0.offset), yAcc($0.element.test)) }))\" fill=\"none\" stroke=\"#27ae60\" stroke-width=\"2\" stroke-dasharray=\"6,3\"/>\n"
    for (k, item) in [("training loss", "#c0392b", ""), ("train exact match", "#2980b9", ""), ("held-out exact match", "#27ae60", " stroke-dasharray=\"6,3\"")].enumerated() {
        let lx = left + 10 + Double(k) * 190, ly = h - 40
        svg += "<line x1=\"\(lx)\" y1=\"\(ly)\" x2=\"\(lx + 24)\" y2=\"\(ly)\" stroke=\"\(item.1)\" stroke-width=\"2\"\(item.2)/>\n"
        svg += "<text x=\"\(lx + 30)\" y=\"\(ly + 4)\">\(item.0)</text>\n"
    }
    return svg + "</svg>\n"
}
