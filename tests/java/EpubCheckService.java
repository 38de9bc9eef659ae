// EPUBCheck for the whole test session in one JVM (java's source-file mode runs this file).
// Starting EPUBCheck costs seconds of class loading and schema compilation per book; a
// JVM that stays up checks each further book in a fraction of a second, with the same
// checker (EpubChecker, what the epubcheck command runs) and the same JSON report.
//
// Protocol, one line each way: stdin "<book>\t<report.json>", stdout "done <exit code>".
// EPUBCheck's own console output goes to stderr, so stdout carries only the replies.
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public class EpubCheckService {
    public static void main(String[] args) throws Exception {
        PrintStream replies = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader requests =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = requests.readLine()) != null) {
            String[] parts = line.split("\t", 2);
            try {
                int code = new EpubChecker().run(new String[] {parts[0], "--json", parts[1], "-q"});
                replies.println("done " + code);
            } catch (RuntimeException | Error e) { // no report: that book's test fails, not the next
                e.printStackTrace();
                replies.println("failed " + e);
            }
        }
    }
}
