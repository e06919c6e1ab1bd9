// Runs EPUBCheck on several files in one JVM: starting Java and compiling
// EPUBCheck's schemas takes about six seconds, checking one more file well
// under one. Launched as a single-file program:
//   java -cp epubcheck.jar tests/support/EpubCheckBatch.java A.epub B.epub ...
// Each file's report is framed by "=== file PATH" and "=== exit N" lines.
public class EpubCheckBatch {
    public static void main(String[] args) {
        System.setErr(System.out);
        for (String file : args) {
            System.out.println("=== file " + file);
            int rc = new com.adobe.epubcheck.tool.EpubChecker().run(new String[] { file });
            System.out.println("=== exit " + rc);
        }
        System.out.println("=== done");
    }
}
